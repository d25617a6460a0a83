#!/usr/bin/env python3
"""Golden CLIP tokenizer values for test/gpu/tokenizer.test.ts, from the reference implementations.

    python3 scripts/goldens/clip_tokenizer.py    (or regenerate.sh; packages: scripts/goldens/requirements.txt)

Reference: transformers' (slow, 4.x; 5.x dropped ftfy) CLIPTokenizer with ftfy installed, which is what diffusers' Stable Diffusion
pipelines tokenize prompts with: ftfy.fix_text, whitespace collapsed, lowercased, the CLIP regex, byte-level BPE.
The vocabulary is CLIP's real one, built from the merges file that the open_clip wheel ships
(bpe_simple_vocab_16e6.txt.gz, MIT, from openai/CLIP) exactly as openai's simple_tokenizer builds it.

Writes
  test/gpu/goldens/clip-merges.txt.gz   the merges the vocabulary uses (the file's first 48,895 lines)
  test/gpu/goldens/clip-tokenizer.json  per corpus text: ftfy.fix_text(text) and the 77 input_ids
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import os
import random
import sys
import tempfile

import ftfy
import transformers
from transformers import CLIPTokenizer

N_MERGES = 49152 - 256 - 2  # what CLIP uses of the file (after its first line)

CORPUS = [
    # plain prompts
    "a photo of a cat",
    "A Photo Of A CAT, highly detailed, 8k, trending on artstation",
    "an astronaut riding a horse on mars, digital art",
    "portrait of a woman, (masterpiece:1.2), [blurry], {best quality}",
    "it's, they're, we've, I'm, you'll, she'd, don't, can't",
    "IT'S THEY'RE WE'VE",
    "numbers 12345 and 3.14159 and 1,000,000",
    "e-mail me at someone@example.com or visit https://example.org/a?b=c&d=e",
    "def f(x): return x**2  # code",
    "   leading and trailing   spaces   ",
    "tabs\tand\nnewlines\r\nand\rreturns",
    "",
    "!!!???...",
    "<|startoftext|>a cat<|endoftext|>",
    "a <|endoftext|> inside",
    "<|ENDOFTEXT|> upper case",
    "&lt;|endoftext|&gt; escaped",
    # ligatures and digraphs
    "ﬁsh and ﬂowers, ﬀ ﬃ ﬄ ﬅ ﬆ",
    "Ǆ ǅ ǆ Ǉ ǈ ǉ Ǌ ǋ ǌ Ǳ ǲ ǳ Ĳ ĳ ŉ",
    "the ﬁnal ﬂight",
    # quotes, apostrophes and primes
    "\u2018single\u2019 \u201cdouble\u201d \u201alow\u201b \u201elow\u201f",
    "rock\u02bcn\u02bcroll, Hawai\u02bbi",
    "5\u2032 10\u2033 tall, 3\u2034",
    "don\u2019t stop",
    "\u00abguillemets\u00bb \u2039single\u203a",
    # widths
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ １２３ ！？",
    "ｶﾀｶﾅ ﾊﾝｶｸ ｶﾞｷﾞ ﾊﾟﾋﾟ",
    "全角\u3000スペース",
    "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
    # mojibake
    "cafÃ©",
    "CafÃ© au lait Ã  la carte",
    "donâ€™t",
    "â€œquotedâ€\x9d",
    "Ã¢â‚¬â„¢ double",
    "ÐŸÑ€Ð¸Ð²ÐµÑ‚ Ð¼Ð¸Ñ€",
    "Ñ€Ð°Ð·",
    "ã‚¢ãƒ‹ãƒ¡",
    "naÃ¯ve rÃ©sumÃ©",
    "The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t have eyebrows.",
    "PÃ¡gina",
    "Ã\xa0 la mode",
    "Ã  la mode",
    "This is a bad message: Ã\u0083Â©",
    "sÃ£o paulo",
    "Ã¼ber alles",
    "Ã±",
    "â€”em dashâ€“",
    "100â‚¬",
    "â˜ƒ snowman",
    "ðŸ˜€ emoji mojibake",
    "Ãƒâ€šÃ‚Â©",
    "Ã©Ã©Ã©Ã©",
    "normal café with mojibake cafÃ©",
    "Â£5",
    "Â© 2024",
    "Ã",
    "latin-1 text: café, naïve, ¿qué?",
    "Ã…ngstrÃ¶m",
    "\x80 \x85 \x91\x92 \x93\x94 \x96 \x97 C1 controls",
    "price: \x8020",
    "mixed: √ is fine, but Ã© is not",
    # HTML entities
    "&amp; &lt; &gt; &quot; &apos; &nbsp;",
    "&eacute;t&eacute; caf&eacute;",
    "&hellip; &mdash; &ndash; &rsquo; &ldquo;",
    "&EACUTE; &Eacute; &AMP; &COPY;",
    "&#233; &#xe9; &#XE9; &#128512; &#x1F600;",
    "&#0; &#13; &#128; &#150; &#x80; &#65535; &#1114112; &#55296;",
    "&#59; &#abc; &#12a; &#x;",
    "&amp;amp; double escaped",
    "&amp;lt;b&amp;gt;",
    "<b>bold</b> &amp; not unescaped",
    "a < b &amp; c",
    "&notanentity; &copy &copy; &frac12; &NotEqualTilde;",
    "&bigstarx; &zwj; &zwnj; &shy;",
    # control characters, BOM, invisible
    "control\x00\x01\x07\x08chars",
    "bell\x07 vt\x0b ff\x0c",
    "\ufeffBOM at start",
    "zero\u200bwidth\u200cnon\u200djoiner",
    "\u2060word joiner\u2061\u206a\u206f",
    "\ufff9\ufffa\ufffb interlinear",
    "\x1b[31mred\x1b[0m text",
    "\x1c\x1d\x1e\x1f separators",
    "soft\u00adhyphen",
    "line\u2028sep\u2029para\u0085nel",
    # normalization
    "e\u0301 cafe\u0301 n\u0303",
    "\u212b \u2126 \u00c5",
    "ﬁ\u0301",
    "Å vs Å",
    "한국어 텍스트",
    "\u1100\u1161\u11a8",
    # other scripts and symbols
    "日本語のテキスト、漢字とかな",
    "中文文本，标点符号。",
    "Ελληνικά ΣΟΦΙΑ σοφός ΟΔΟΣ",
    "Русский текст ЁЖ",
    "עברית וערבית العربية",
    "हिन्दी देवनागरी",
    "ไทย ภาษา",
    "emoji 😀🎨🖼️ 👩‍👩‍👧 🇯🇵 🏳️‍🌈",
    "math ∑ ∫ √ ∞ ≠ ≤ ± × ÷ ½ ¼",
    "superscripts x² y³ H₂O",
    "roman Ⅻ ⅻ circled ① ② ⑩",
    "İstanbul ǅ ß ẞ ŉ ſ",
    "Turkish I ı İ i",
    "Ⓐⓑⓒ 🅰 🅱",
    "dots … ‥ · • ‧",
    "dashes ‐ ‑ ‒ – — ― −",
    "spaces\u00a0nbsp\u2002en\u2003em\u2009thin\u202fnarrow\u205fmath\u3000ideo",
    "\u00a0\u00a0leading nbsp",
    "tilde ～ wave 〜",
    "ｈｔｔｐ：／／ｅｘａｍｐｌｅ．ｃｏｍ",
    "“smart quotes” with ‘nested’ ones",
    "a" * 100,
    " ".join(["word"] * 80),
    " ".join(["ﬁsh"] * 40),
    "🎨" * 30,
]


# Random mixes of the hard parts above (fixed seed): mojibake next to correct text, entities next to "<", etc.
PIECES = [
    "cafÃ©", "â€™", "Ã ", "Ã\xa0", "ï¬\x81", "Ð¿Ñ€Ð¸", "ã‚¢", "Â", "Ã", "â€", "\x80", "\x9d", "\x85",
    "&eacute;", "&amp;", "&lt;", "<", ">", "&#x1F600;", "&hellip;", "&EACUTE;", "&nbsp;", ";",
    "ﬁ", "ﬂ", "Ǆ", "ĳ", "ŉ", "\u02bc", "\u2032", "\u2033", "\u2018", "\u201d", "ｶﾞ", "ﾟ", "Ａ", "\u3000",
    "\x00", "\x07", "\x1b[1m", "\ufeff", "\u200b", "\u2028", "\r\n", "\t", "  ", "\u00a0",
    "e\u0301", "Σ", "ΣΑΣ", "İ", "ß", "😀", "👩‍👧", "日本", "한", "é", "ñ", "ü", "€", "£", "©", "°", "±", "×",
    "a", "photo", "cat", "The", "it's", "don't", "123", "4.5", "!!", "?", "-", "_", "'", '"', "(", ")", ",", ".",
]


def random_corpus(n: int, seed: int = 14) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randint(1, 8)
        out.append("".join(rng.choice(PIECES) + (" " if rng.random() < 0.4 else "") for _ in range(k)))
    return out


def merges_path() -> str:
    spec = importlib.util.find_spec("open_clip")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("open_clip is not installed: pip install --no-deps open_clip_torch")
    return os.path.join(list(spec.submodule_search_locations)[0], "bpe_simple_vocab_16e6.txt.gz")


def bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = os.path.join(here, "..", "..", "test", "gpu", "goldens")
    os.makedirs(out_dir, exist_ok=True)
    with gzip.open(merges_path(), "rt", encoding="utf-8") as f:
        lines = f.read().split("\n")[: N_MERGES + 1]
    merges = lines[1:]
    vocab_list = list(bytes_to_unicode().values())
    vocab_list = vocab_list + [v + "</w>" for v in vocab_list]
    vocab_list += ["".join(m.split()) for m in merges]
    vocab_list += ["<|startoftext|>", "<|endoftext|>"]
    vocab = {tok: i for i, tok in enumerate(vocab_list)}
    assert len(vocab) == 49408

    # mtime 0 and no name: the same bytes on every run
    with open(os.path.join(out_dir, "clip-merges.txt.gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write("\n".join(lines).encode("utf-8") + b"\n")

    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "vocab.json"), "w", encoding="utf-8") as f:
            json.dump(vocab, f, ensure_ascii=False)
        with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8") as f:
            f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
        tok = CLIPTokenizer(os.path.join(d, "vocab.json"), os.path.join(d, "merges.txt"))
        assert tok.fix_text is not None, "ftfy is not installed"
        cases = []
        for text in CORPUS + random_corpus(300):
            ids = tok(text, padding="max_length", max_length=77, truncation=True)["input_ids"]
            cases.append({"text": text, "fixed": ftfy.fix_text(text), "ids": ids})
    doc = {
        "generator": "scripts/goldens/clip_tokenizer.py",
        "transformers": transformers.__version__,
        "ftfy": ftfy.__version__,
        "cases": cases,
    }
    with open(os.path.join(out_dir, "clip-tokenizer.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, ensure_ascii=True, indent=0)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(out_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
