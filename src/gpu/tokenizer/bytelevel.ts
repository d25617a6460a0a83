// GPT-2 byte-level BPE (chat models): tokenizer.json (Hugging Face `tokenizers` format) or vocab.json + merges.txt.
// Special/added tokens are split out first and map to their ids; other text is pre-tokenized with the GPT-2 regex,
// turned into byte symbols and merged. Decoding maps symbols back to bytes and decodes UTF-8.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../../core/errors.js';
import { bpeWord, bytesToSymbols, parseMerges, readJsonFile, readTextFile, symbolsToBytes } from './bpe.js';

const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface ByteLevelData {
  vocab: Record<string, number>;
  merges: readonly (string | [string, string])[];
  specialTokens?: Record<string, number>;
}

export class ByteLevelTokenizer {
  readonly vocab: Map<string, number>;
  private readonly inverse: Map<number, string>;
  private readonly ranks: Map<string, number>;
  private readonly specials: Map<string, number>;
  private readonly specialIds: Set<number>;
  private readonly specialPattern: RegExp | undefined;
  private readonly cache = new Map<string, number[]>();

  constructor(data: ByteLevelData) {
    this.vocab = new Map(Object.entries(data.vocab));
    this.specials = new Map(Object.entries(data.specialTokens ?? {}));
    for (const [t, id] of this.specials) this.vocab.set(t, id);
    this.inverse = new Map([...this.vocab].map(([t, id]) => [id, t]));
    this.specialIds = new Set(this.specials.values());
    this.ranks = parseMerges(data.merges.map((m) => (Array.isArray(m) ? `${m[0]} ${m[1]}` : m)));
    const specials = [...this.specials.keys()].sort((a, b) => b.length - a.length);
    this.specialPattern = specials.length ? new RegExp(`(${specials.map(escapeRe).join('|')})`, 'g') : undefined;
  }

  /** Reads tokenizer.json if present, else vocab.json + merges.txt (+ added tokens from tokenizer_config.json). */
  static fromDir(dir: string): ByteLevelTokenizer {
    const tj = join(dir, 'tokenizer.json');
    if (existsSync(tj)) {
      const j = readJsonFile<{ model?: { type?: string; vocab?: Record<string, number>; merges?: (string | [string, string])[] }; added_tokens?: { id: number; content: string }[] }>(tj, 'tokenizer.json');
      if (!j.model || j.model.type !== 'BPE' || !j.model.vocab || !j.model.merges) {
        throw new ModelError(`tokenizer.json in ${dir} is not a BPE tokenizer (model.type=${j.model?.type ?? 'missing'})`, { code: 'tokenizer_unsupported', hint: 'only byte-level BPE (GPT-2 style) chat tokenizers are supported' });
      }
      const specials: Record<string, number> = {};
      for (const t of j.added_tokens ?? []) specials[t.content] = t.id;
      return new ByteLevelTokenizer({ vocab: j.model.vocab, merges: j.model.merges, specialTokens: specials });
    }
    const vocab = readJsonFile<Record<string, number>>(join(dir, 'vocab.json'), 'tokenizer vocab (tokenizer.json or vocab.json)');
    const merges = readTextFile(join(dir, 'merges.txt'), 'tokenizer merges').split('\n');
    const specials: Record<string, number> = {};
    for (const [t, id] of Object.entries(vocab)) if (/^<\|.*\|>$/.test(t)) specials[t] = id;
    return new ByteLevelTokenizer({ vocab, merges, specialTokens: specials });
  }

  idOf(token: string): number | undefined {
    return this.vocab.get(token);
  }

  get vocabSize(): number {
    return this.inverse.size;
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    const parts = this.specialPattern ? text.split(this.specialPattern) : [text];
    for (const part of parts) {
      if (!part) continue;
      const sp = this.specials.get(part);
      if (sp !== undefined) {
        ids.push(sp);
        continue;
      }
      for (const m of part.matchAll(GPT2_PATTERN)) {
        const piece = m[0];
        let cached = this.cache.get(piece);
        if (!cached) {
          cached = bpeWord(Array.from(bytesToSymbols(piece)), this.ranks).map((s) => {
            const id = this.vocab.get(s);
            if (id === undefined) throw new ModelError(`tokenizer: symbol "${s}" has no id`, { code: 'tokenizer_invalid', hint: 'vocab and merges do not match' });
            return id;
          });
          if (this.cache.size < 10000) this.cache.set(piece, cached);
        }
        ids.push(...cached);
      }
    }
    return ids;
  }

  /** Text of the ids; special tokens are dropped unless keepSpecial. Invalid UTF-8 becomes U+FFFD. */
  decode(ids: readonly number[], opts: { keepSpecial?: boolean } = {}): string {
    let out = '';
    let syms = '';
    for (const id of ids) {
      const t = this.inverse.get(id);
      if (t === undefined) continue;
      if (this.specialIds.has(id)) {
        out += symbolsToBytes(syms).toString('utf8');
        syms = '';
        if (opts.keepSpecial) out += t;
        continue;
      }
      syms += t;
    }
    return out + symbolsToBytes(syms).toString('utf8');
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
