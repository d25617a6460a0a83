// One output switch: `--output json` prints the same result object that the text view renders.
import { bigintSafe } from './logger.js';

export type OutputFormat = 'text' | 'json';

export function parseOutputFormat(v: string | undefined): OutputFormat {
  if (v === undefined || v === 'text') return 'text';
  if (v === 'json') return 'json';
  throw new Error(`--output must be text or json, not "${v}"`);
}

export function toJson(result: unknown): string {
  return JSON.stringify(result, bigintSafe, 2);
}

export function printResult<T>(result: T, format: OutputFormat, human: (r: T) => string, write: (s: string) => void = (s) => process.stdout.write(s)): void {
  if (format === 'json') write(toJson(result) + '\n');
  else {
    const text = human(result);
    if (text) write(text.endsWith('\n') ? text : text + '\n');
  }
}
