// Typed devnet errors, built on the CLI's LuncMlError so that src/cli.ts maps them to messages and exit codes.
import { LuncMlError, ExitCode, type ErrorData } from '../core/errors.js';

export type DevnetErrorCode =
  | 'go_missing'
  | 'build_failed'
  | 'binary_missing'
  | 'devnet_init_failed'
  | 'devnet_start_failed'
  | 'devnet_not_running'
  | 'devnet_port_busy'
  | 'devnet_accounts_invalid'
  | 'devnet_profile_invalid'
  | 'devnet_layout_invalid';

export class DevnetError extends LuncMlError {
  override readonly code: DevnetErrorCode;
  constructor(code: DevnetErrorCode, message: string, opts: { hint?: string; data?: ErrorData; cause?: unknown } = {}) {
    super(code, message, { ...opts, exitCode: code === 'go_missing' || code === 'binary_missing' ? ExitCode.config : code === 'devnet_layout_invalid' ? ExitCode.usage : ExitCode.failure });
    this.code = code;
  }
}
