// Reference ids are derived by hand from the tiny vocabularies that scripts/gen_tiny_models.py writes:
// - CLIP-style (tiny-sd/tokenizer): ids 0..255 are the 256 byte symbols in bytes_to_unicode order ('!' = 0,
//   so 'a' = 97 − 33 = 64), 256..511 the same symbols + "</w>" ('a</w>' = 320, as in the real CLIP vocab),
//   then one id per line of merges.txt (512 + rank), then <|startoftext|>, <|endoftext|>.
//   "photo": p h o t o</w> → ranks 'h o'=5, 't o</w>'=8, 'ho to</w>'=12, 'p hoto</w>'=16 → photo</w> = 528;
//   "of": 'o f</w>' rank 0 → 512; "cat": 'a t</w>' rank 1 then 'c at</w>' rank 9 → 521.
// - GPT-2 byte-level (tiny-chat): 'a' = 64; " cat" = Ġ c a t → 'a t' (rank 9), 'Ġ c' (rank 12), 'Ġc at' (rank 30)
//   → Ġcat = 256 + 30 = 286.
// Real CLIP: "a photo of a cat" is [49406, 320, 1125, 539, 320, 2368, 49407] (openai/clip-vit-base-patch32 on the
// Hugging Face hub); that check runs only when LUNC_ML_CLIP_TOKENIZER_DIR points at a real tokenizer folder.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ClipTokenizer, cleanText } from '../../src/gpu/tokenizer/clip.js';
import { ByteLevelTokenizer } from '../../src/gpu/tokenizer/bytelevel.js';
import { model } from './helpers.js';

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

  it.runIf(process.env.LUNC_ML_CLIP_TOKENIZER_DIR)('matches the published ids on the real CLIP vocabulary', () => {
    const t = ClipTokenizer.fromDir(process.env.LUNC_ML_CLIP_TOKENIZER_DIR!);
    expect(t.encode('a photo of a cat').ids.slice(0, 7)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
  });
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
