// `lunc-ml devnet build|up|status|down`: the local two-chain devnet (lunc-1 + mlchain-1). The heavy core is
// loaded inside each action.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { commandContext, type CommandContext } from './context.js';
import { devnetHome, packageRoot } from './shared.js';

interface CommonFlags {
  devnetHome?: string;
  binary?: string;
}

function homeOf(ctx: CommandContext, flags: CommonFlags): string {
  return flags.devnetHome ? resolve(flags.devnetHome) : devnetHome(ctx);
}

export function registerDevnet(program: Command): void {
  const devnet = program
    .command('devnet')
    .description('local devnet: lunc-1 (terra/uluna, Terra Classic-like controller, one validator) and mlchain-1 (mlc/umlc, the ML host, one validator or --validators N)');

  devnet
    .command('build')
    .description('build the lunc-mld chain binary into .cache/bin (skipped when it is newer than the Go sources)')
    .option('--force', 'rebuild even when up to date', false)
    .option('--binary <path>', 'output path (default <repo>/.cache/bin/lunc-mld)')
    .action(async (flags: CommonFlags & { force: boolean }, c: Command) => {
      const ctx = commandContext(c);
      const { ensureBinary } = await import('../devnet/index.js');
      const r = await ensureBinary({ repoRoot: packageRoot, binary: flags.binary && resolve(flags.binary), force: flags.force, logger: ctx.logger });
      ctx.print(r, (x) => (x.built ? `built ${x.binary} in ${(x.ms / 1000).toFixed(1)} s` : `${x.binary} is up to date`));
    });

  devnet
    .command('up')
    .description('start both chains (building the binary if needed) and write <devnet home>/profile.json; reuses a running devnet')
    .option('--devnet-home <dir>', 'devnet home (env LUNC_ML_DEVNET_HOME, default <repo>/.lunc-ml/devnet)')
    .option('--binary <path>', 'lunc-mld binary (default <repo>/.cache/bin/lunc-mld, built when stale)')
    .option('--reset', 'wipe existing chain data and start from genesis', false)
    .option('--api', 'also open the REST API (LUNC 1317, ML 1417)', false)
    .option('--job-timeout-blocks <n>', 'x/ml job_timeout_blocks in the ML genesis (new devnets only)', '40')
    .option(
      '--validators <n>',
      'validators of mlchain-1 (new devnets, or with --reset; default 1): node k has home <devnet home>/ml-k, ports base+10(k-1) (RPC 26757, 26767, ...), validator key validator<k>, executor key executor<k>',
    )
    .action(async (flags: CommonFlags & { reset: boolean; api: boolean; jobTimeoutBlocks: string; validators?: string }, c: Command) => {
      const ctx = commandContext(c);
      const { UsageError } = await import('../core/errors.js');
      const jtb = Number(flags.jobTimeoutBlocks);
      if (!Number.isInteger(jtb) || jtb < 1) throw new UsageError(`--job-timeout-blocks must be a positive integer, got "${flags.jobTimeoutBlocks}"`);
      const validators = flags.validators === undefined ? undefined : Number(flags.validators);
      if (validators !== undefined && !/^\d+$/.test(flags.validators!)) throw new UsageError(`--validators must be a positive integer, got "${flags.validators}"`);
      const dn = await import('../devnet/index.js');
      const home = homeOf(ctx, flags);
      // A running devnet is reused as it is: do not rebuild the binary under its feet.
      const running = !flags.reset && (await dn.status({ home })).running;
      const binary = flags.binary
        ? resolve(flags.binary)
        : running
          ? (dn.readProfile(home)?.binary ?? dn.defaultBinary(packageRoot))
          : (await dn.ensureBinary({ repoRoot: packageRoot, logger: ctx.logger })).binary;
      if (flags.reset && !flags.binary) await dn.down({ home, logger: ctx.logger });
      const r = await dn.up({ repoRoot: packageRoot, home, binary, reset: flags.reset, api: flags.api, jobTimeoutBlocks: jtb, validators, logger: ctx.logger });
      const vals = r.profile.mlValidators;
      ctx.print(
        {
          reused: r.reused,
          restarted: r.restarted,
          profilePath: r.profilePath,
          heights: r.heights,
          chains: r.profile.chains,
          pids: r.profile.pids,
          ...(vals ? { validators: vals.map((v, i) => ({ ...v, height: r.mlHeights[i] })) } : {}),
        },
        (x) =>
          [
            x.reused ? 'devnet already running' : x.restarted ? 'devnet restarted' : 'devnet up',
            `  lunc-1     ${x.chains.lunc.rpc}  grpc ${x.chains.lunc.grpc}  height ${x.heights.lunc}  pid ${x.pids.lunc}`,
            ...(x.validators
              ? x.validators.map(
                  (v) => `  mlchain-1  node ${v.node}  ${v.rpc}  grpc ${v.grpc}  height ${v.height}  pid ${v.pid}  ${v.validatorOperator} (bond ${v.bond}, executor key ${v.executorKey})`,
                )
              : [`  mlchain-1  ${x.chains.ml.rpc}  grpc ${x.chains.ml.grpc}  height ${x.heights.ml}  pid ${x.pids.ml}`, `  ML validator operator: ${x.chains.ml.validatorOperator}`]),
            `  profile: ${x.profilePath}`,
          ].join('\n'),
      );
    });

  devnet
    .command('status')
    .description('heights and processes of the devnet chains')
    .option('--devnet-home <dir>', 'devnet home')
    .action(async (flags: CommonFlags, c: Command) => {
      const ctx = commandContext(c);
      const { status } = await import('../devnet/index.js');
      const s = await status({ home: homeOf(ctx, flags) });
      ctx.print(s, (x) =>
        x.chains.length === 0
          ? `no devnet at ${x.home} (start one with \`lunc-ml devnet up\`)`
          : [
              `devnet ${x.running ? 'running' : 'not running'} (${x.home})`,
              ...x.chains.map(
                (ch) =>
                  `  ${(ch.node ? `${ch.chainId} node ${ch.node}` : ch.chainId).padEnd(x.chains.some((o) => o.node) ? 17 : 10)} ${ch.alive ? `height ${ch.height ?? '?'}${ch.error ? ` (${ch.error})` : ''}` : 'stopped'}  ${ch.rpc}${ch.pid ? `  pid ${ch.pid}` : ''}`,
              ),
            ].join('\n'),
      );
    });

  devnet
    .command('down')
    .description('stop the devnet nodes started by `devnet up` (chain data is kept; `up --reset` wipes it)')
    .option('--devnet-home <dir>', 'devnet home')
    .action(async (flags: CommonFlags, c: Command) => {
      const ctx = commandContext(c);
      const { down } = await import('../devnet/index.js');
      const r = await down({ home: homeOf(ctx, flags), logger: ctx.logger });
      ctx.print(r, (x) => (x.stopped.length ? `stopped ${x.stopped.map((s) => `${s.key}${s.node ? ` node ${s.node}` : ''} (pid ${s.pid})`).join(', ')}` : 'nothing to stop'));
    });
}
