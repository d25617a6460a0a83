// Shared by every command: global flags → resolved config, logger and output format.
import type { Command } from 'commander';
import { resolveConfig, type ResolvedConfig } from '../core/config.js';
import { createLogger, type Logger, type LogLevel } from '../core/logger.js';
import { parseOutputFormat, printResult, type OutputFormat } from '../core/output.js';
import { UsageError } from '../core/errors.js';

export interface CommandContext {
  config: ResolvedConfig;
  logger: Logger;
  output: OutputFormat;
  /** True when stdin and stdout are terminals: prompts and spinners are allowed. */
  interactive: boolean;
  env: Record<string, string | undefined>;
  print<T>(result: T, human: (r: T) => string): void;
}

export function commandContext(cmd: Command): CommandContext {
  const g = cmd.optsWithGlobals() as Record<string, unknown>;
  const config = resolveConfig(
    {
      home: g.home,
      chain: g.chain,
      node: g.node,
      output: g.output,
      logFormat: g.logFormat,
      logLevel: g.logLevel,
      keyringBackend: g.keyringBackend,
      gasPrices: g.gasPrices,
      gasAdjustment: g.gasAdjustment,
    },
    process.env,
  );
  let output: OutputFormat;
  try {
    output = parseOutputFormat(config.output);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const level = config.logLevel as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level must be debug, info, warn or error, not "${level}"`);
  if (config.logFormat !== 'text' && config.logFormat !== 'json') throw new UsageError(`--log-format must be text or json, not "${config.logFormat}"`);
  const logger = createLogger({ level, format: config.logFormat });
  return {
    config,
    logger,
    output,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && output === 'text',
    env: process.env,
    print: (result, human) => printResult(result, output, human),
  };
}
