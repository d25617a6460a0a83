// Typed errors carry the data a user needs; src/cli.ts is the only place that turns them into an exit code.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 3,
  chain: 4,
  unreachable: 5,
  model: 6,
  interrupted: 130,
} as const;

export interface ErrorData {
  [key: string]: unknown;
}

export class LuncMlError extends Error {
  readonly code: string;
  readonly exitCode: number;
  /** What the user can do about it; printed after the message. */
  readonly hint?: string;
  readonly data: ErrorData;

  constructor(code: string, message: string, opts: { hint?: string; exitCode?: number; data?: ErrorData; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = opts.exitCode ?? ExitCode.failure;
    this.hint = opts.hint;
    this.data = opts.data ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}), ...this.data };
  }
}

/** Bad flags, bad input files, values out of range: refused before anything is signed or sent. */
export class UsageError extends LuncMlError {
  constructor(message: string, opts: { hint?: string; data?: ErrorData; code?: string } = {}) {
    super(opts.code ?? 'usage', message, { ...opts, exitCode: ExitCode.usage });
  }
}

export class ConfigError extends LuncMlError {
  constructor(message: string, opts: { hint?: string; data?: ErrorData; code?: string; cause?: unknown } = {}) {
    super(opts.code ?? 'config', message, { ...opts, exitCode: ExitCode.config });
  }
}

export class KeyError extends LuncMlError {
  constructor(message: string, opts: { hint?: string; data?: ErrorData; code?: string } = {}) {
    super(opts.code ?? 'key', message, { ...opts, exitCode: ExitCode.config });
  }
}

/** A node could not be reached at all. */
export class RpcUnreachableError extends LuncMlError {
  readonly endpoint: string;
  constructor(endpoint: string, opts: { chainId?: string; cause?: unknown } = {}) {
    const why = opts.cause instanceof Error ? `: ${opts.cause.message}` : '';
    super('rpc_unreachable', `cannot reach ${endpoint}${opts.chainId ? ` (${opts.chainId})` : ''}${why}`, {
      exitCode: ExitCode.unreachable,
      hint: 'check that the node is running and the address is right (--node, or the chain profile)',
      data: { endpoint, chainId: opts.chainId },
      cause: opts.cause,
    });
    this.endpoint = endpoint;
  }
}

/** The chain refused a tx or a query: carries codespace/code/log as the chain reported them. */
export class ChainError extends LuncMlError {
  readonly chainId?: string;
  readonly codespace?: string;
  readonly chainCode?: number;
  readonly log?: string;
  readonly txHash?: string;

  constructor(kind: string, message: string, opts: { chainId?: string; codespace?: string; chainCode?: number; log?: string; txHash?: string; hint?: string; cause?: unknown; height?: number } = {}) {
    super(kind, message, {
      exitCode: ExitCode.chain,
      hint: opts.hint,
      cause: opts.cause,
      data: { chainId: opts.chainId, codespace: opts.codespace, chainCode: opts.chainCode, log: opts.log, txHash: opts.txHash, height: opts.height },
    });
    this.chainId = opts.chainId;
    this.codespace = opts.codespace;
    this.chainCode = opts.chainCode;
    this.log = opts.log;
    this.txHash = opts.txHash;
  }
}

/** An output could not be fetched from the URI an executor chose (refused, too big, too slow, bad redirect). */
export class DownloadError extends LuncMlError {
  readonly uri: string;
  constructor(uri: string, message: string, opts: { hint?: string; data?: ErrorData; cause?: unknown } = {}) {
    super('download_failed', `${uri}: ${message}`, { exitCode: ExitCode.failure, hint: opts.hint, data: { uri, ...opts.data }, cause: opts.cause });
    this.uri = uri;
  }
}

export class ModelError extends LuncMlError {
  constructor(message: string, opts: { hint?: string; data?: ErrorData; code?: string; cause?: unknown } = {}) {
    super(opts.code ?? 'model', message, { ...opts, exitCode: ExitCode.model });
  }
}

export class TimeoutError extends LuncMlError {
  constructor(message: string, opts: { hint?: string; data?: ErrorData } = {}) {
    super('timeout', message, { ...opts, exitCode: ExitCode.failure });
  }
}

export function isLuncMlError(e: unknown): e is LuncMlError {
  return e instanceof LuncMlError;
}
