// Pieces shared by the CLIP and GPT-2 byte-level BPE tokenizers.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelError } from '../../core/errors.js';

/** GPT-2/CLIP reversible map from bytes to printable unicode characters (bytes_to_unicode). */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const table = new Array<string>(256);
  bs.forEach((b, i) => (table[b] = String.fromCodePoint(cs[i]!)));
  return table;
}

export const BYTE_ENCODER = bytesToUnicode();
export const BYTE_DECODER: Map<string, number> = new Map(BYTE_ENCODER.map((c, b) => [c, b]));

export function bytesToSymbols(text: string): string {
  let s = '';
  for (const b of Buffer.from(text, 'utf8')) s += BYTE_ENCODER[b];
  return s;
}

export function symbolsToBytes(symbols: string): Buffer {
  const out: number[] = [];
  for (const ch of symbols) {
    const b = BYTE_DECODER.get(ch);
    if (b !== undefined) out.push(b);
  }
  return Buffer.from(out);
}

/** Merge ranks keyed by "a b". */
export function parseMerges(lines: readonly string[]): Map<string, number> {
  const ranks = new Map<string, number>();
  let r = 0;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (!line || line.startsWith('#version')) continue;
    ranks.set(line, r++);
  }
  return ranks;
}

/**
 * Applies BPE merges to a word given as symbols: repeatedly merge the adjacent pair with the lowest rank
 * (all its occurrences, left to right) until no pair is in the table.
 */
export function bpeWord(symbols: string[], ranks: Map<string, number>): string[] {
  let word = symbols;
  while (word.length > 1) {
    let best = Infinity;
    let bestPair: [string, string] | undefined;
    for (let i = 0; i < word.length - 1; i++) {
      const r = ranks.get(word[i] + ' ' + word[i + 1]);
      if (r !== undefined && r < best) {
        best = r;
        bestPair = [word[i]!, word[i + 1]!];
      }
    }
    if (!bestPair) break;
    const [a, b] = bestPair;
    const next: string[] = [];
    for (let i = 0; i < word.length;) {
      if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
        next.push(a + b);
        i += 2;
      } else {
        next.push(word[i]!);
        i += 1;
      }
    }
    word = next;
  }
  return word;
}

export function readJsonFile<T>(path: string, what: string): T {
  if (!existsSync(path))
    throw new ModelError(`${what} is missing: ${path}`, {
      code: 'model_file_missing',
      hint: 'point --models at a complete model folder (scripts/gen_tiny_models.py writes test models)',
      data: { path },
    });
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new ModelError(`${what} is not valid JSON: ${path}`, { code: 'model_file_invalid', hint: 'the file is damaged; fetch or export the model again', data: { path }, cause: e });
  }
}

export function readTextFile(path: string, what: string): string {
  if (!existsSync(path))
    throw new ModelError(`${what} is missing: ${path}`, {
      code: 'model_file_missing',
      hint: 'point --models at a complete model folder (scripts/gen_tiny_models.py writes test models)',
      data: { path },
    });
  return readFileSync(path, 'utf8');
}

/** A token given as a string or as {content} in tokenizer_config.json / special_tokens_map.json. */
export function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

export { join };
