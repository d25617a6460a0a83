// Byte-level BPE (chat models): tokenizer.json (Hugging Face `tokenizers` format) or vocab.json + merges.txt.
// As `tokenizers` encodes: added (special) tokens are split out first and map to their ids; the rest is normalized
// (tokenizer.json "normalizer": NFC/NFKC/…, Lowercase, Replace, Prepend, Sequence), pre-tokenized ("pre_tokenizer":
// Split on a regex as Llama 3 / Qwen 2 do, Digits, ByteLevel with or without GPT-2's regex, Sequence), each piece
// turned into byte symbols and merged; then the "post_processor" adds its special tokens (TemplateProcessing: e.g.
// Llama 3's <|begin_of_text|>) when asked. Any other component type is refused by name rather than skipped.
// Decoding maps symbols back to bytes and decodes UTF-8. Test: test/gpu/goldens/bytelevel-tokenizer.json.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../../core/errors.js';
import { bpeWord, bytesToSymbols, parseMerges, readJsonFile, readTextFile, symbolsToBytes } from './bpe.js';

const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

type Normalizer = (text: string) => string;
/** Splits each piece further (pieces are never empty). */
type PreTokenizer = (pieces: string[]) => string[];
type PostProcessor = (ids: number[]) => number[];

export interface ByteLevelData {
  vocab: Record<string, number>;
  merges: readonly (string | [string, string])[];
  specialTokens?: Record<string, number>;
  /** tokenizer.json's normalizer, pre_tokenizer, post_processor objects (defaults: none, GPT-2's ByteLevel, none). */
  normalizer?: unknown;
  preTokenizer?: unknown;
  postProcessor?: unknown;
  /** model.ignore_merges (Llama 3): a piece that is itself in the vocab is one token, whatever the merges say. */
  ignoreMerges?: boolean;
}

const unsupported = (what: string, type: unknown): never => {
  throw new ModelError(`tokenizer.json: ${what} type "${String(type)}" is not supported`, {
    code: 'tokenizer_unsupported',
    hint: 'supported: byte-level BPE tokenizers (GPT-2, Llama 3, Qwen 2 style)',
  });
};

interface Json {
  type?: string;
  [k: string]: unknown;
}

/**
 * A `tokenizers` (Oniguruma) pattern as a JavaScript regex: scoped case-insensitivity `(?i:…)`, which Node 20's
 * RegExp lacks, is spelt out letter by letter.
 */
export function onigurumaToRegExp(pattern: string): RegExp {
  const src = pattern.replace(/\(\?i:((?:[^()\\]|\\.)*)\)/g, (_m, body: string) => {
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c === '\\') {
        out += c + body[i + 1]!;
        i++;
      } else out += /[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
    }
    return `(?:${out})`;
  });
  return new RegExp(src, 'gu');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function patternOf(p: unknown, what: string): RegExp {
  const o = p as { Regex?: string; String?: string } | undefined;
  if (typeof o?.Regex === 'string') return onigurumaToRegExp(o.Regex);
  if (typeof o?.String === 'string') return new RegExp(escapeRe(o.String), 'gu');
  return unsupported(`${what} pattern`, JSON.stringify(p));
}

function buildNormalizer(j: unknown): Normalizer {
  if (j === null || j === undefined) return (t) => t;
  const n = j as Json;
  switch (n.type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = n.type;
      return (t) => t.normalize(form);
    }
    case 'Lowercase':
      return (t) => t.toLowerCase();
    case 'Prepend': {
      const p = String(n.prepend ?? '');
      return (t) => (t ? p + t : t);
    }
    case 'Replace': {
      const re = patternOf(n.pattern, 'Replace');
      const content = String(n.content ?? '');
      return (t) => t.replace(re, () => content);
    }
    case 'Sequence': {
      const parts = ((n.normalizers as unknown[]) ?? []).map(buildNormalizer);
      return (t) => parts.reduce((acc, f) => f(acc), t);
    }
    default:
      return unsupported('normalizer', n.type);
  }
}

/** Splits `text` by `re` with one of tokenizers' SplitDelimiterBehavior values. */
function splitBy(text: string, re: RegExp, behavior: string): string[] {
  const out: string[] = [];
  let last = 0;
  let carry = ''; // MergedWithNext: the delimiter waiting for the next piece
  for (const m of text.matchAll(re)) {
    if (m[0] === '') continue;
    const start = m.index!;
    const gap = text.slice(last, start);
    const delim = m[0];
    if (behavior === 'Isolated') {
      if (gap) out.push(gap);
      out.push(delim);
    } else if (behavior === 'Removed') {
      if (gap) out.push(gap);
    } else if (behavior === 'MergedWithPrevious') {
      out.push(gap + delim);
    } else if (behavior === 'MergedWithNext') {
      if (carry + gap) out.push(carry + gap);
      carry = delim;
    } else unsupported('Split behavior', behavior);
    last = start + delim.length;
  }
  const tail = carry + text.slice(last);
  if (tail) out.push(tail);
  return out;
}

function buildPreTokenizer(j: unknown): { pre: PreTokenizer; byteLevel: boolean } {
  if (j === null || j === undefined) return unsupported('pre_tokenizer', 'none (needs ByteLevel)');
  const p = j as Json;
  switch (p.type) {
    case 'ByteLevel': {
      const prefix = p.add_prefix_space === true;
      const regex = p.use_regex !== false;
      return {
        byteLevel: true,
        pre: (pieces) =>
          pieces.flatMap((s) => {
            const t = prefix && !s.startsWith(' ') ? ' ' + s : s;
            return regex ? splitBy(t, GPT2_PATTERN, 'Isolated') : [t];
          }),
      };
    }
    case 'Split': {
      if (p.invert === true) unsupported('Split', 'invert: true');
      const re = patternOf(p.pattern, 'Split');
      const behavior = String(p.behavior ?? 'Isolated');
      if (!['Isolated', 'Removed', 'MergedWithPrevious', 'MergedWithNext'].includes(behavior)) unsupported('Split behavior', behavior);
      return { byteLevel: false, pre: (pieces) => pieces.flatMap((s) => splitBy(s, re, behavior)) };
    }
    case 'Digits': {
      const re = p.individual_digits === true ? /\p{Nd}/gu : /\p{Nd}+/gu;
      return { byteLevel: false, pre: (pieces) => pieces.flatMap((s) => splitBy(s, re, 'Isolated')) };
    }
    case 'Sequence': {
      const parts = ((p.pretokenizers as unknown[]) ?? []).map(buildPreTokenizer);
      return { byteLevel: parts.some((x) => x.byteLevel), pre: (pieces) => parts.reduce((acc, x) => x.pre(acc), pieces) };
    }
    default:
      return unsupported('pre_tokenizer', p.type);
  }
}

function buildPostProcessor(j: unknown, idOf: (t: string) => number | undefined): PostProcessor {
  if (j === null || j === undefined) return (ids) => ids;
  const p = j as Json;
  switch (p.type) {
    case 'ByteLevel':
      return (ids) => ids; // offsets only
    case 'TemplateProcessing': {
      const specials = (p.special_tokens ?? {}) as Record<string, { ids?: number[] }>;
      const items = ((p.single as unknown[]) ?? []).map((it) => {
        const o = it as { SpecialToken?: { id: string }; Sequence?: { id: string } };
        if (o.SpecialToken) {
          const ids = specials[o.SpecialToken.id]?.ids ?? [idOf(o.SpecialToken.id)];
          if (ids.some((x) => typeof x !== 'number')) unsupported('TemplateProcessing special token', o.SpecialToken.id);
          return ids as number[];
        }
        if (o.Sequence?.id === 'A') return null; // the text
        return unsupported('TemplateProcessing item', JSON.stringify(it));
      });
      return (ids) => items.flatMap((x) => x ?? ids);
    }
    case 'Sequence': {
      const parts = ((p.processors as unknown[]) ?? []).map((x) => buildPostProcessor(x, idOf));
      return (ids) => parts.reduce((acc, f) => f(acc), ids);
    }
    default:
      return unsupported('post_processor', p.type);
  }
}

export class ByteLevelTokenizer {
  readonly vocab: Map<string, number>;
  private readonly inverse: Map<number, string>;
  private readonly ranks: Map<string, number>;
  private readonly specials: Map<string, number>;
  private readonly specialIds: Set<number>;
  private readonly specialPattern: RegExp | undefined;
  private readonly cache = new Map<string, number[]>();
  private readonly normalize: Normalizer;
  private readonly preTokenize: PreTokenizer;
  private readonly postProcess: PostProcessor;
  private readonly ignoreMerges: boolean;

  constructor(data: ByteLevelData) {
    this.vocab = new Map(Object.entries(data.vocab));
    this.specials = new Map(Object.entries(data.specialTokens ?? {}));
    for (const [t, id] of this.specials) this.vocab.set(t, id);
    this.inverse = new Map([...this.vocab].map(([t, id]) => [id, t]));
    this.specialIds = new Set(this.specials.values());
    this.ranks = parseMerges(data.merges.map((m) => (Array.isArray(m) ? `${m[0]} ${m[1]}` : m)));
    const specials = [...this.specials.keys()].sort((a, b) => b.length - a.length);
    this.specialPattern = specials.length ? new RegExp(`(${specials.map(escapeRe).join('|')})`, 'g') : undefined;
    this.normalize = buildNormalizer(data.normalizer);
    const pre = buildPreTokenizer(data.preTokenizer === undefined ? { type: 'ByteLevel', use_regex: true } : data.preTokenizer);
    if (!pre.byteLevel) unsupported('pre_tokenizer', 'without ByteLevel');
    this.preTokenize = pre.pre;
    this.postProcess = buildPostProcessor(data.postProcessor, (t) => this.vocab.get(t));
    this.ignoreMerges = data.ignoreMerges === true;
  }

  /** Reads tokenizer.json if present, else vocab.json + merges.txt (+ added tokens from tokenizer_config.json). */
  static fromDir(dir: string): ByteLevelTokenizer {
    const tj = join(dir, 'tokenizer.json');
    if (existsSync(tj)) {
      const j = readJsonFile<{
        model?: {
          type?: string;
          vocab?: Record<string, number>;
          merges?: (string | [string, string])[];
          ignore_merges?: boolean;
          byte_fallback?: boolean;
          continuing_subword_prefix?: string | null;
          end_of_word_suffix?: string | null;
        };
        added_tokens?: { id: number; content: string }[];
        normalizer?: unknown;
        pre_tokenizer?: unknown;
        post_processor?: unknown;
      }>(tj, 'tokenizer.json');
      const m = j.model;
      if (!m || m.type !== 'BPE' || !m.vocab || !m.merges) {
        throw new ModelError(`tokenizer.json in ${dir} is not a BPE tokenizer (model.type=${m?.type ?? 'missing'})`, {
          code: 'tokenizer_unsupported',
          hint: 'only byte-level BPE (GPT-2 style) chat tokenizers are supported',
        });
      }
      if (m.byte_fallback) unsupported('model', 'BPE with byte_fallback (SentencePiece style)');
      if (m.continuing_subword_prefix || m.end_of_word_suffix) unsupported('model', 'BPE with subword prefix/suffix');
      const specials: Record<string, number> = {};
      for (const t of j.added_tokens ?? []) specials[t.content] = t.id;
      return new ByteLevelTokenizer({
        vocab: m.vocab,
        merges: m.merges,
        specialTokens: specials,
        normalizer: j.normalizer,
        preTokenizer: j.pre_tokenizer,
        postProcessor: j.post_processor,
        ignoreMerges: m.ignore_merges,
      });
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

  /**
   * Token ids of `text`. addSpecialTokens (default true, as in `tokenizers` and transformers) runs the
   * post-processor; chat-template output is encoded without it (the template already holds BOS).
   */
  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    const ids: number[] = [];
    const parts = this.specialPattern ? text.split(this.specialPattern) : [text];
    for (const part of parts) {
      if (!part) continue;
      const sp = this.specials.get(part);
      if (sp !== undefined) {
        ids.push(sp);
        continue;
      }
      const normalized = this.normalize(part);
      if (!normalized) continue;
      for (const piece of this.preTokenize([normalized])) ids.push(...this.bpe(piece));
    }
    return opts.addSpecialTokens === false ? ids : this.postProcess(ids);
  }

  private bpe(piece: string): number[] {
    let cached = this.cache.get(piece);
    if (cached) return cached;
    const symbols = bytesToSymbols(piece);
    const whole = this.ignoreMerges ? this.vocab.get(symbols) : undefined;
    cached =
      whole !== undefined
        ? [whole]
        : bpeWord(Array.from(symbols), this.ranks).map((s) => {
            const id = this.vocab.get(s);
            if (id === undefined) throw new ModelError(`tokenizer: symbol "${s}" has no id`, { code: 'tokenizer_invalid', hint: 'vocab and merges do not match' });
            return id;
          });
    if (this.cache.size < 10000) this.cache.set(piece, cached);
    return cached;
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
