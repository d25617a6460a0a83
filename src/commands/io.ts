// Reading the command's inputs: files and stdin.
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';

/**
 * Reads stdin to EOF. A synchronous read of fd 0 fails with EAGAIN when stdin is a non-blocking pipe whose writer
 * is slower than the read (`(sleep 1; echo ...) | lunc-ml ...`); the stream API waits for the data instead.
 */
export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return decodeUtf8(Buffer.concat(chunks), 'stdin');
}

/** Decodes UTF-8 strictly: invalid bytes are an error, never silently replaced by U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, source: string, code = 'bad_file'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${source} is not valid UTF-8`, { code, hint: 'save the file as UTF-8' });
  }
}

/** Reads a file the user named; a missing, unreadable or non-UTF-8 file is bad input (exit 2), not a crash. */
export function readUserFile(path: string, code = 'bad_file'): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { code });
  }
  return decodeUtf8(bytes, path, code);
}
