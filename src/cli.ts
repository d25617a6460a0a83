// Entry point: builds the command tree and is the one place errors become messages and exit codes.
// Command modules are light (commander only); each loads chain clients or onnxruntime inside its action.
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, LuncMlError, UsageError } from './core/errors.js';
import { bigintSafe } from './core/logger.js';
import { registerTx } from './commands/tx.js';
import { registerIca } from './commands/ica.js';
import { registerKeys } from './commands/keys.js';
import { registerQuery } from './commands/query.js';
import { registerDevnet } from './commands/devnet.js';
import { registerRelay } from './commands/relay.js';
import { registerGpu } from './commands/gpu.js';
import { registerDemo } from './commands/demo.js';
import { registerConfig } from './commands/config.js';

export const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('lunc-ml')
    .description('Run ML jobs from Terra Classic (columbus-5) on a Cosmos ML app chain over IBC interchain accounts')
    .version(VERSION)
    .addOption(new Option('-o, --output <format>', 'text or json (env LUNC_ML_OUTPUT)'))
    .addOption(new Option('--home <dir>', 'lunc-ml home: keyring, config, state (env LUNC_ML_HOME, default ~/.lunc-ml)'))
    .addOption(new Option('--chain <profile>', 'chain profile: columbus-5 | local | local-ml | path to a profile JSON (env LUNC_ML_CHAIN)'))
    .addOption(new Option('--node <url>', 'CometBFT RPC endpoint, overrides the profile (env LUNC_ML_NODE)'))
    .addOption(new Option('--log-format <format>', 'text or json (env LUNC_ML_LOG_FORMAT)'))
    .addOption(new Option('--log-level <level>', 'debug | info | warn | error (env LUNC_ML_LOG_LEVEL)'))
    .addOption(new Option('--keyring-backend <backend>', 'file | test (env LUNC_ML_KEYRING_BACKEND)'))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerTx(program);
  registerIca(program);
  registerKeys(program);
  registerQuery(program);
  registerRelay(program);
  registerGpu(program);
  registerDevnet(program);
  registerDemo(program);
  registerConfig(program);
  // Subcommands inherit exitOverride so that commander's own errors come back here.
  const propagate = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(propagate);
  };
  propagate(program);
  return program;
}

function wantsJson(argv: string[]): boolean {
  const i = argv.findIndex((a) => a === '-o' || a === '--output');
  if (i >= 0 && argv[i + 1] === 'json') return true;
  return argv.some((a) => a === '--output=json' || a === '-ojson' || a === '-o=json') || process.env.LUNC_ML_OUTPUT === 'json';
}

/** Runs the CLI and returns the exit code; never throws, never calls process.exit. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    // commander treats --version anywhere as the CLI's own; after a subcommand the user meant something else
    // (terrad's `register --version <metadata>`), and printing 0.1.0 with exit 0 would hide that.
    const args = argv.slice(2);
    const v = args.indexOf('--version');
    if (v > 0 && args.slice(0, v).some((a) => !a.startsWith('-'))) {
      throw new UsageError('--version after a subcommand is ambiguous here', {
        hint: 'for the ICS-27 channel metadata use `tx register --ica-version <json>`; for the CLI version run `lunc-ml --version`',
      });
    }
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (e) {
    return reportError(e, wantsJson(argv));
  }
}

export function reportError(e: unknown, json: boolean, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  if (e instanceof CommanderError) {
    // help and version are "errors" to commander but successes to the user.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
    return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (e instanceof LuncMlError) {
    // One line of JSON, last on stderr, so scripts can parse it after any log lines.
    if (json) write(JSON.stringify(e.toJSON(), bigintSafe) + '\n');
    else {
      write(`Error: ${e.message}\n`);
      if (e.hint) write(`  hint: ${e.hint}\n`);
    }
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (json) write(JSON.stringify({ error: 'unexpected', message: err.message }) + '\n');
  else write(`Error: ${err.message}\n`);
  return ExitCode.failure;
}
