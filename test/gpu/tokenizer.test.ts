// Reference ids are derived by hand from the tiny vocabularies that scripts/gen_tiny_models.py writes:
// - CLIP-style (tiny-sd/tokenizer): ids 0..255 are the 256 byte symbols in bytes_to_unicode order ('!' = 0,
//   so 'a' = 97 − 33 = 64), 256..511 the same symbols + "</w>" ('a</w>' = 320, as in the real CLIP vocab),
//   then one id per line of merges.txt (512 + rank), then <|startoftext|>, <|endoftext|>.
//   "photo": p h o t o</w> → ranks 'h o'=5, 't o</w>'=8, 'ho to</w>'=12, 'p hoto</w>'=16 → photo</w> = 528;
//   "of": 'o f</w>' rank 0 → 512; "cat": 'a t</w>' rank 1 then 'c at</w>' rank 9 → 521.
// - GPT-2 byte-level (tiny-chat): 'a' = 64; " cat" = Ġ c a t → 'a t' (rank 9), 'Ġ c' (rank 12), 'Ġc at' (rank 30)
//   → Ġcat = 256 + 30 = 286.
// Real CLIP: "a photo of a cat" is [49406, 320, 1125, 539, 320, 2368, 49407] (openai/clip-vit-base-patch32 on the
// Hugging Face hub), checked on the vocabulary built from test/gpu/goldens/clip-merges.txt.gz.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ClipTokenizer, cleanText } from '../../src/gpu/tokenizer/clip.js';
import { fixText } from '../../src/gpu/tokenizer/ftfy.js';
import { BYTE_ENCODER } from '../../src/gpu/tokenizer/bpe.js';
import { ByteLevelTokenizer } from '../../src/gpu/tokenizer/bytelevel.js';
import { ChatTemplate, type ChatMessage } from '../../src/gpu/tokenizer/chat-template.js';
import { model, ROOT } from './helpers.js';

const clip = () => ClipTokenizer.fromDir(join(model('tiny-sd'), 'tokenizer'));

describe('CLIP tokenizer', () => {
  it('encodes a prompt to the hand-derived ids with BOS/EOS and pads to 77', () => {
    const t = clip();
    expect(t.bosId).toBe(572);
    expect(t.eosId).toBe(573);
    const { ids, length, truncated } = t.encode('a photo of a cat');
    expect(ids.slice(0, 7)).toEqual([572, 320, 528, 512, 320, 521, 573]);
    expect(ids).toHaveLength(77);
    expect(length).toBe(7);
    expect(truncated).toBe(false);
    expect(new Set(ids.slice(7))).toEqual(new Set([573])); // pad_token is <|endoftext|>
  });

  it('lowercases, collapses whitespace and unescapes HTML before splitting', () => {
    expect(cleanText('  A   PHOTO&amp;amp;of\n\ta “cat” ')).toBe('a photo&of a "cat"');
    expect(clip().tokenize('A  PHOTO of a CAT')).toEqual([320, 528, 512, 320, 521]);
  });

  it('splits digits one by one and punctuation runs apart (the CLIP regex)', () => {
    const t = clip();
    // '4' and '2' are single-byte symbols with </w>: 256 + (52 − 33) = 275, 256 + (50 − 33) = 273; '!!' = '!' + '!</w>' = [0, 256]
    expect(t.tokenize('42!!')).toEqual([275, 273, 0, 256]);
  });

  it('truncates long prompts to 75 tokens plus BOS/EOS and says so', () => {
    const r = clip().encode('cat '.repeat(100));
    expect(r.truncated).toBe(true);
    expect(r.ids).toHaveLength(77);
    expect(r.ids[0]).toBe(572);
    expect(r.ids[76]).toBe(573);
    expect(r.ids.slice(1, 76).every((x) => x === 521)).toBe(true);
  });

  it('maps literal special tokens to their ids', () => {
    expect(clip().tokenize('<|endoftext|>')).toEqual([573]);
  });

  it('matches the published ids on the real CLIP vocabulary', () => {
    expect(realClip().encode('a photo of a cat').ids.slice(0, 7)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
  });
});

// test/gpu/goldens/clip-tokenizer.json: transformers' CLIPTokenizer (with ftfy) on CLIP's real vocabulary, made by
// scripts/goldens/clip_tokenizer.py, which also writes the merges file the vocabulary is built from.
const clipGolden = JSON.parse(readFileSync(join(ROOT, 'test/gpu/goldens/clip-tokenizer.json'), 'utf8')) as {
  transformers: string;
  ftfy: string;
  cases: { text: string; fixed: string; ids: number[] }[];
};
let real: ClipTokenizer | undefined;
/** CLIP's vocabulary built from its merges as openai's simple_tokenizer builds it (what vocab.json holds). */
function realClip(): ClipTokenizer {
  if (real) return real;
  const lines = gunzipSync(readFileSync(join(ROOT, 'test/gpu/goldens/clip-merges.txt.gz')))
    .toString('utf8')
    .split('\n');
  const merges = lines.slice(1, 49152 - 256 - 2 + 1);
  // bytes_to_unicode() in its dict order: the printable bytes first, then the others
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const all = Array.from({ length: 256 }, (_, b) => b);
  const bytes = [...all.filter(printable), ...all.filter((b) => !printable(b))].map((b) => BYTE_ENCODER[b]!);
  const symbols = [...bytes, ...bytes.map((b) => b + '</w>'), ...merges.map((m) => m.replace(' ', '')), '<|startoftext|>', '<|endoftext|>'];
  const vocab = Object.fromEntries(symbols.map((tok, i) => [tok, i]));
  real = new ClipTokenizer({ vocab, merges: ['#version: 0.2', ...merges] });
  return real;
}

describe(`CLIP text cleaning and ids agree with transformers ${clipGolden.transformers} + ftfy ${clipGolden.ftfy}`, () => {
  for (const c of clipGolden.cases) {
    it(JSON.stringify(c.text).slice(0, 80), () => {
      expect(fixText(c.text)).toBe(c.fixed);
      expect(realClip().encode(c.text).ids).toEqual(c.ids);
    });
  }
});

describe('byte-level BPE tokenizer', () => {
  it('encodes to the hand-derived ids from tokenizer.json and from vocab.json + merges.txt alike', () => {
    const a = ByteLevelTokenizer.fromDir(model('tiny-chat'));
    expect(a.encode('a cat')).toEqual([64, 286]);
    expect(a.idOf('<|endoftext|>')).toBe(336);
    expect(a.encode('a cat<|endoftext|>')).toEqual([64, 286, 336]);
  });

  it('round-trips any text, including non-ASCII and emoji', () => {
    const t = ByteLevelTokenizer.fromDir(model('tiny-chat'));
    for (const s of ['Hello, how are you?', 'héllo wörld — ✓ 🐱', '  spaces  and\nnewlines\t', 'The answer is 42.']) {
      expect(t.decode(t.encode(s))).toBe(s);
    }
  });

  it('drops special tokens when decoding unless asked to keep them', () => {
    const t = ByteLevelTokenizer.fromDir(model('tiny-chat'));
    expect(t.decode([64, 286, 336])).toBe('a cat');
    expect(t.decode([64, 286, 336], { keepSpecial: true })).toBe('a cat<|endoftext|>');
  });
});

// test/gpu/goldens/bytelevel-tokenizer.json: `tokenizers` ids and transformers' apply_chat_template on the tiny
// chat tokenizers (and variants of tiny-chat-llama3's pipeline), made by scripts/goldens/bytelevel_tokenizer.py.
interface BlCase {
  text: string;
  ids: number[];
  ids_no_special: number[];
}
const blGolden = JSON.parse(readFileSync(join(ROOT, 'test/gpu/goldens/bytelevel-tokenizer.json'), 'utf8')) as {
  tokenizers: string;
  transformers: string;
  models: {
    name: string;
    variants: { name: string; override: Record<string, unknown>; cases: BlCase[] }[];
    chats?: { messages: ChatMessage[]; add_generation_prompt: boolean; text: string; ids: number[] }[];
  }[];
};

/** The fixture's tokenizer.json with a variant's keys replaced, as the generator did. */
function blTokenizer(name: string, override: Record<string, unknown>): ByteLevelTokenizer {
  const tj = JSON.parse(readFileSync(join(model(name), 'tokenizer.json'), 'utf8')) as Record<string, any>;
  const pick = (k: string) => (k in override ? override[k] : tj[k]);
  const specials = Object.fromEntries((tj.added_tokens as { content: string; id: number }[]).map((t) => [t.content, t.id]));
  return new ByteLevelTokenizer({
    vocab: tj.model.vocab,
    merges: tj.model.merges,
    specialTokens: specials,
    normalizer: pick('normalizer'),
    preTokenizer: pick('pre_tokenizer'),
    postProcessor: pick('post_processor'),
    ignoreMerges: (override['model.ignore_merges'] as boolean | undefined) ?? tj.model.ignore_merges,
  });
}

describe(`byte-level BPE agrees with tokenizers ${blGolden.tokenizers}`, () => {
  for (const m of blGolden.models) {
    for (const v of m.variants) {
      it(`${m.name} (${v.name}): ids with and without the post-processor's special tokens`, () => {
        const t = v.name === 'as-written' ? ByteLevelTokenizer.fromDir(model(m.name)) : blTokenizer(m.name, v.override);
        for (const c of v.cases) {
          expect(t.encode(c.text), JSON.stringify(c.text)).toEqual(c.ids);
          expect(t.encode(c.text, { addSpecialTokens: false }), JSON.stringify(c.text)).toEqual(c.ids_no_special);
        }
      });
    }
  }

  it('refuses tokenizer.json components it does not implement, naming them', () => {
    const base = { vocab: { a: 0 }, merges: [] };
    expect(() => new ByteLevelTokenizer({ ...base, normalizer: { type: 'BertNormalizer' } })).toThrow(/normalizer type "BertNormalizer"/);
    expect(() => new ByteLevelTokenizer({ ...base, preTokenizer: { type: 'Metaspace' } })).toThrow(/pre_tokenizer type "Metaspace"/);
    expect(() => new ByteLevelTokenizer({ ...base, postProcessor: { type: 'RobertaProcessing' } })).toThrow(/post_processor type "RobertaProcessing"/);
    expect(() => new ByteLevelTokenizer({ ...base, preTokenizer: { type: 'Split', pattern: { String: ' ' }, behavior: 'Contiguous' } })).toThrow(/Split behavior/);
  });
});

describe(`chat templates render as transformers ${blGolden.transformers} renders them`, () => {
  const m = blGolden.models.find((x) => x.chats)!;
  for (const c of m.chats!) {
    it(`${m.name}: ${c.messages.map((x) => x.role).join(', ')}${c.add_generation_prompt ? ' + generation prompt' : ''}`, () => {
      const tpl = ChatTemplate.fromDir(model(m.name))!;
      const text = tpl.render(c.messages, { addGenerationPrompt: c.add_generation_prompt });
      expect(text).toBe(c.text);
      expect(ByteLevelTokenizer.fromDir(model(m.name)).encode(text, { addSpecialTokens: false })).toEqual(c.ids);
    });
  }

  it('a folder without a template has none (the prompt is tokenized as it is)', () => {
    expect(ChatTemplate.fromDir(model('tiny-chat'))).toBeUndefined();
  });
});
