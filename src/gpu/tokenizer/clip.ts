// CLIP BPE tokenizer (the one Stable Diffusion's text encoder uses), read from a diffusers `tokenizer/` folder:
// vocab.json, merges.txt, tokenizer_config.json / special_tokens_map.json.
//
// Steps, as in openai/CLIP simple_tokenizer.py and transformers' CLIPTokenizer:
//   1. clean: a small subset of ftfy (NFC, HTML entities, curly quotes, full-width ASCII), collapse whitespace, lowercase;
//   2. split with the CLIP regex (specials, contractions, letter runs, single digits, punctuation runs);
//   3. each piece → UTF-8 bytes → printable symbols, last symbol gets "</w>", BPE merges, vocab lookup;
//   4. [BOS] + ids (truncated to maxLength-2) + [EOS], padded to maxLength (77) with the pad token.
import { join } from 'node:path';
import { ModelError } from '../../core/errors.js';
import { bpeWord, bytesToSymbols, parseMerges, readJsonFile, readTextFile, tokenContent } from './bpe.js';

const CLIP_PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** ftfy-lite: the fixes that matter for prompts typed or pasted by people. */
export function cleanText(text: string): string {
  let t = text.normalize('NFC');
  for (let i = 0; i < 2; i++) {
    // CLIP unescapes twice (html.unescape(html.unescape(text)))
    t = t.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, ent: string) => {
      if (ent[0] === '#') {
        const cp = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
        return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
      return ENTITIES[ent.toLowerCase()] ?? m;
    });
  }
  t = t
    .replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"')
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
  return t.replace(/\s+/g, ' ').trim().toLowerCase();
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
