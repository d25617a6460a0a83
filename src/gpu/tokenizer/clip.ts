// CLIP BPE tokenizer (the one Stable Diffusion's text encoder uses), read from a diffusers `tokenizer/` folder:
// vocab.json, merges.txt, tokenizer_config.json / special_tokens_map.json.
//
// Steps, as in transformers' CLIPTokenizer with ftfy installed (what diffusers' pipelines tokenize prompts with):
//   1. clean: ftfy.fix_text (./ftfy.ts: mojibake, HTML entities, ligatures, widths, quotes, control characters,
//      NFC), whitespace runs → one space, strip, lowercase;
//   2. split with the CLIP regex (specials, contractions, letter runs, single digits, punctuation runs);
//   3. each piece → UTF-8 bytes → printable symbols, last symbol gets "</w>", BPE merges, vocab lookup;
//   4. [BOS] + ids (truncated to maxLength-2) + [EOS], padded to maxLength (77) with the pad token.
// The pad token is the folder's (special_tokens_map.json, then tokenizer_config.json), as transformers pads:
// "<|endoftext|>" (49407) for SD 1.x, "!" (id 0) for SD 2.x and SDXL's second tokenizer, whose text encoders
// were trained with open_clip's zero padding. Test: test/gpu/goldens/clip-tokenizer.json (scripts/goldens).
import { join } from 'node:path';
import { ModelError } from '../../core/errors.js';
import { bpeWord, bytesToSymbols, parseMerges, readJsonFile, readTextFile, tokenContent } from './bpe.js';
import { fixText } from './ftfy.js';

// \s here is the `regex` module's (transformers uses it): Unicode White_Space, without \x1c–\x1f or \ufeff
const SPACE = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const CLIP_PATTERN = new RegExp(`<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^${SPACE}\\p{L}\\p{N}]+`, 'giu');
const SPACE_RUN = new RegExp(`[${SPACE}]+`, 'gu');
// Python's str.strip(): str.isspace(), which adds \x1c–\x1f
const PY_STRIP = new RegExp(`^[${SPACE}\\x1c-\\x1f]+|[${SPACE}\\x1c-\\x1f]+$`, 'gu');

/** transformers' CLIPTokenizer cleaning: whitespace_clean(ftfy.fix_text(text)).lower(). */
export function cleanText(text: string): string {
  return fixText(text).replace(SPACE_RUN, ' ').replace(PY_STRIP, '').toLowerCase();
}

export interface ClipTokenizerData {
  vocab: Record<string, number>;
  merges: readonly string[];
  bosToken?: string;
  eosToken?: string;
  padToken?: string;
  maxLength?: number;
}

export class ClipTokenizer {
  readonly vocab: Map<string, number>;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly maxLength: number;
  private readonly ranks: Map<string, number>;
  private readonly specials: Map<string, number>;
  private readonly cache = new Map<string, number[]>();

  constructor(data: ClipTokenizerData) {
    this.vocab = new Map(Object.entries(data.vocab));
    this.ranks = parseMerges(data.merges);
    const id = (tok: string, what: string): number => {
      const v = this.vocab.get(tok);
      if (v === undefined) throw new ModelError(`tokenizer: ${what} token "${tok}" is not in vocab.json`, { code: 'tokenizer_invalid', hint: 'the tokenizer folder does not belong to a CLIP model' });
      return v;
    };
    const bos = data.bosToken ?? '<|startoftext|>';
    const eos = data.eosToken ?? '<|endoftext|>';
    this.bosId = id(bos, 'bos');
    this.eosId = id(eos, 'eos');
    this.padId = id(data.padToken ?? eos, 'pad');
    this.maxLength = data.maxLength ?? 77;
    this.specials = new Map([
      [bos, this.bosId],
      [eos, this.eosId],
    ]);
  }

  static fromDir(dir: string): ClipTokenizer {
    const vocab = readJsonFile<Record<string, number>>(join(dir, 'vocab.json'), 'tokenizer vocab');
    const merges = readTextFile(join(dir, 'merges.txt'), 'tokenizer merges').split('\n');
    let cfg: Record<string, unknown> = {};
    let special: Record<string, unknown> = {};
    try {
      cfg = readJsonFile<Record<string, unknown>>(join(dir, 'tokenizer_config.json'), 'tokenizer config');
    } catch {
      /* optional */
    }
    try {
      special = readJsonFile<Record<string, unknown>>(join(dir, 'special_tokens_map.json'), 'special tokens map');
    } catch {
      /* optional */
    }
    const pick = (k: string) => tokenContent(special[k]) ?? tokenContent(cfg[k]);
    const maxLen = typeof cfg.model_max_length === 'number' && cfg.model_max_length > 2 && cfg.model_max_length < 100000 ? cfg.model_max_length : 77;
    return new ClipTokenizer({ vocab, merges, bosToken: pick('bos_token'), eosToken: pick('eos_token'), padToken: pick('pad_token'), maxLength: maxLen });
  }

  /** Token ids of the text without BOS/EOS/padding. */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const m of cleanText(text).matchAll(CLIP_PATTERN)) {
      const piece = m[0];
      const special = this.specials.get(piece);
      if (special !== undefined) {
        ids.push(special);
        continue;
      }
      let cached = this.cache.get(piece);
      if (!cached) {
        const syms = Array.from(bytesToSymbols(piece));
        syms[syms.length - 1] += '</w>';
        cached = bpeWord(syms, this.ranks).map((s) => this.vocab.get(s) ?? this.eosId);
        if (this.cache.size < 10000) this.cache.set(piece, cached);
      }
      ids.push(...cached);
    }
    return ids;
  }

  /** [BOS, ...ids, EOS] truncated and padded to maxLength; `truncated` says whether words were dropped. */
  encode(text: string): { ids: number[]; truncated: boolean; length: number } {
    const body = this.tokenize(text);
    const room = this.maxLength - 2;
    const truncated = body.length > room;
    const ids = [this.bosId, ...body.slice(0, room), this.eosId];
    const length = ids.length;
    while (ids.length < this.maxLength) ids.push(this.padId);
    return { ids, truncated, length };
  }
}
