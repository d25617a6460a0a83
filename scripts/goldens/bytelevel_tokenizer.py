#!/usr/bin/env python3
"""Golden byte-level BPE ids and chat-template renderings for test/gpu/tokenizer.test.ts, from the references:
Hugging Face `tokenizers` (what transformers' fast tokenizers run) and transformers' apply_chat_template (Jinja2).

    python3 scripts/goldens/bytelevel_tokenizer.py   # writes test/gpu/goldens/bytelevel-tokenizer.json (or: regenerate.sh)

The tokenizers are the tiny ones scripts/gen_tiny_models.py writes (tiny-chat: GPT-2 style; tiny-chat-llama3:
NFC normalizer, Llama 3's Split regex, TemplateProcessing BOS, chat template), rebuilt here into a temporary folder
with the same code, plus variants of the Llama 3 one with other normalizer / pre-tokenizer / post-processor settings
(recorded in the JSON; the test applies them to the same vocabulary and merges).
"""
from __future__ import annotations

import copy
import importlib.util
import json
import os
import sys
import tempfile

import tokenizers
import transformers
from tokenizers import Tokenizer
from transformers import AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))

TEXTS = [
    "Hello, how are you?",
    "hello world",
    "The answer is 42.",
    "def f(x):\n    return x**2",
    "e-mail me at someone@example.com",
    "DON'T stop, I'M here, we'LL see, they'RE, it'S",
    "don't can't won't",
    "numbers 1 12 123 1234 12345 3.14159",
    "  leading spaces and  double  spaces  ",
    "line one\nline two\r\n\nline three\n",
    "tabs\tand\t\ttabs",
    "caf\u00e9 vs cafe\u0301 (NFC)",
    "\uff26\uff55\uff4c\uff4c width \ufb01sh",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
    "emoji \U0001f600\U0001f3a8 \U0001f469\u200d\U0001f467",
    "<|begin_of_text|>already has BOS",
    "a <|eot_id|> b<|start_header_id|>user<|end_header_id|>",
    "<|endoftext|>",
    "!!! ??? ... ---",
    "x",
    " ",
    "",
    "\n\n\n",
    "A   B\n\n C",
    "Ünïcödé ÀÉÎÕÜ ß",
]

VARIANTS = {
    "as-written": {},
    "no-normalizer": {"normalizer": None},
    "nfkc-lowercase": {"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}]}},
    "replace-prepend": {"normalizer": {"type": "Sequence", "normalizers": [
        {"type": "Replace", "pattern": {"String": " "}, "content": "_"}, {"type": "Prepend", "prepend": "_"}]}},
    "split-removed": {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Removed", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}},
    "split-merged-previous": {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}},
    "split-merged-next": {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithNext", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]}},
    "digits-bytelevel-prefix": {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "Digits", "individual_digits": True},
        {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}]}},
    "qwen2-split": {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
         "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}},
    "ignore-merges": {"model.ignore_merges": True},
}

CONVERSATIONS = [
    [{"role": "user", "content": "Hello, how are you?"}],
    [{"role": "user", "content": "  spaced out  \n"}],
    [{"role": "system", "content": "You answer in one word. "}, {"role": "user", "content": "Colour of the sky?"}],
    [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "def f(x): pass"}],
]


def load_gen():
    spec = importlib.util.spec_from_file_location("gen_tiny_models", os.path.join(HERE, "..", "gen_tiny_models.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def main() -> int:
    gen = load_gen()
    out = {"generator": "scripts/goldens/bytelevel_tokenizer.py", "tokenizers": tokenizers.__version__,
           "transformers": transformers.__version__, "models": []}
    with tempfile.TemporaryDirectory() as tmp:
        for name, style in (("tiny-chat", "gpt2"), ("tiny-chat-llama3", "llama3")):
            d = os.path.join(tmp, name)
            gen.bytelevel_tokenizer(d, style=style)
            with open(os.path.join(d, "tokenizer.json"), encoding="utf-8") as f:
                base = json.load(f)
            variants = []
            for vname, over in (VARIANTS.items() if style == "llama3" else [("as-written", {})]):
                tj = copy.deepcopy(base)
                for k, v in over.items():
                    if k == "model.ignore_merges":
                        tj["model"]["ignore_merges"] = v
                    else:
                        tj[k] = v
                tok = Tokenizer.from_str(json.dumps(tj))
                cases = [{"text": t, "ids": tok.encode(t).ids, "ids_no_special": tok.encode(t, add_special_tokens=False).ids}
                         for t in TEXTS]
                variants.append({"name": vname, "override": over, "cases": cases})
            entry = {"name": name, "variants": variants}
            hf = AutoTokenizer.from_pretrained(d)
            if hf.chat_template:
                entry["chats"] = []
                for conv in CONVERSATIONS:
                    for gp in (True, False):
                        text = hf.apply_chat_template(conv, add_generation_prompt=gp, tokenize=False)
                        ids = hf.apply_chat_template(conv, add_generation_prompt=gp, tokenize=True)
                        if isinstance(ids, dict) or hasattr(ids, "input_ids"):
                            ids = ids["input_ids"]
                        entry["chats"].append({"messages": conv, "add_generation_prompt": gp, "text": text, "ids": list(ids)})
            out["models"].append(entry)
    target = os.path.join(HERE, "..", "..", "test", "gpu", "goldens", "bytelevel-tokenizer.json")
    with open(target, "w", encoding="utf-8", newline="\n") as f:
        json.dump(out, f, ensure_ascii=True, indent=0)
        f.write("\n")
    print(f"wrote {os.path.relpath(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
