// `lunc-ml relay …`: a built-in IBC relayer (clients, connection, ICA channel handshakes, packets, acks,
// timeouts). Each command parses its flags, makes one call into src/relayer/service.ts and prints. Heavy modules
// (CosmJS, smol-toml) load inside the actions.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { commandContext } from './context.js';
import { devnetHome, packageRoot, keyringFor, keyringPassword } from './shared.js';
import { ExitCode, LuncMlError, UsageError } from '../core/errors.js';
import { createLogger, type LogLevel } from '../core/logger.js';
import type { RelayerRuntime } from '../relayer/service.js';

interface RelayFlags {
  config?: string;
  state?: string;
  mnemonicFile?: string;
  accounts?: string;
}

function addCommon(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'relayer TOML config (default: <home>/relayer/config.toml; `--chain local` or `--chain <devnet profile.json>` builds one from the devnet)')
    .option('--state <file>', 'relayer state file (default: <home>/relayer/state.json; with --chain local or a devnet profile.json: relayer-state.json next to the profile)')
    .option('--mnemonic-file <file>', 'relayer key mnemonic for both chains (instead of the keyring key_name)')
    .option('--accounts <file>', 'devnet accounts fixture holding the `relayer` mnemonic (with --chain local)');
}

/** The `relayer` mnemonic from the devnet accounts file (kept here for callers of the command module). */
export async function relayerMnemonicFromAccounts(path: string): Promise<string> {
  return (await import('../relayer/service.js')).relayerMnemonicFromAccounts(path);
}

/** Config, signers (keyring keys unlocked here: prompting is the command's business), endpoints and state. */
async function runtime(cmd: Command, withMetrics = false): Promise<{ ctx: ReturnType<typeof commandContext>; rt: RelayerRuntime }> {
  const ctx = commandContext(cmd);
  const f = cmd.opts() as RelayFlags;
  const svc = await import('../relayer/service.js');
  const resolved = await svc.resolveConfig({
    configPath: f.config,
    chain: ctx.config.chain,
    home: ctx.config.home,
    devnetHome: devnetHome(ctx),
    packageRoot,
    mnemonicFile: f.mnemonicFile,
    accounts: f.accounts,
    statePath: f.state,
  });
  const logger = ctx.config.sources.logLevel === 'default' ? createLogger({ level: resolved.config.global.logLevel as LogLevel, format: ctx.config.logFormat as 'text' | 'json' }) : ctx.logger;
  let password: string | undefined;
  const signers = await svc.signersFor(resolved.config, async (c) => {
    const { loadSigner } = await import('../core/signer.js');
    const kr = await keyringFor(ctx);
    password ??= await keyringPassword(ctx, 'unlock');
    return (await loadSigner(kr, c.keyName, c.accountPrefix, password)).wallet;
  });
  return { ctx, rt: await svc.RelayerRuntime.open(resolved, signers, logger, { metrics: withMetrics }) };
}

export function registerRelay(program: Command): void {
  const relay = program.command('relay').description('IBC relayer between the LUNC chain and the ML chain (clients, connection, ICA channels, packets)');

  const create = relay.command('create').description('create IBC clients and connections');
  addCommon(create.command('client'))
    .description('create on --dst a 07-tendermint client of --src')
    .requiredOption('--src <chain>', 'chain the client tracks')
    .requiredOption('--dst <chain>', 'chain that hosts the client')
    .action(async (_o, cmd: Command) => {
      const { ctx, rt } = await runtime(cmd);
      try {
        const res = await rt.createClient(cmd.opts() as { src: string; dst: string });
        ctx.print(res, (r) => `created ${r.clientId} on ${r.host} (tracks ${r.tracks})`);
      } finally {
        rt.close();
      }
    });

  addCommon(create.command('connection'))
    .description('open a connection between the two chains (creates clients unless given)')
    .option('--src <chain>', 'chain that sends ConnectionOpenInit')
    .option('--dst <chain>', 'the other chain')
    .option('--src-client <id>', 'existing client on --src tracking --dst')
    .option('--dst-client <id>', 'existing client on --dst tracking --src')
    .action(async (_o, cmd: Command) => {
      const { ctx, rt } = await runtime(cmd);
      try {
        const res = await rt.createConnection(cmd.opts() as { src?: string; dst?: string; srcClient?: string; dstClient?: string });
        const [a, b] = Object.keys(res);
        ctx.print(res, (r) => `${a} ${r[a].clientId} ${r[a].connectionId}  <->  ${b} ${r[b].clientId} ${r[b].connectionId}`);
      } finally {
        rt.close();
      }
    });

  addCommon(relay.command('link'))
    .description('clients + connection between the two chains; reuses an OPEN connection (idempotent)')
    .action(async (_o, cmd: Command) => {
      const { ctx, rt } = await runtime(cmd);
      try {
        const { link, created, transfer } = await rt.link();
        const res = {
          created,
          [link.a.ep.chainId]: { clientId: link.a.clientId, connectionId: link.a.connectionId, transferChannel: link.a.transferChannel },
          [link.b.ep.chainId]: { clientId: link.b.clientId, connectionId: link.b.connectionId, transferChannel: link.b.transferChannel },
          transferCreated: transfer.created,
          stateFile: rt.resolved.statePath,
        };
        ctx.print(
          res,
          () =>
            `${created ? 'linked' : 'already linked'}: ${link.a.ep.chainId} ${link.a.clientId} ${link.a.connectionId}  <->  ${link.b.ep.chainId} ${link.b.clientId} ${link.b.connectionId}\n` +
            `transfer channel${transfer.created ? ' opened' : ''}: ${link.a.ep.chainId} transfer/${link.a.transferChannel}  <->  ${link.b.ep.chainId} transfer/${link.b.transferChannel}`,
        );
      } finally {
        rt.close();
      }
    });

  addCommon(relay.command('start'))
    .description('relay until SIGINT/SIGTERM: channel handshakes, packets, acks, timeouts; Prometheus metrics with [telemetry]. With --chain local, links the devnet first if needed')
    .option('--metrics-port <port>', 'serve /metrics on this port (overrides [telemetry])')
    .option('--poll-ms <ms>', 'most time between passes when no new block arrives (passes run on every new block of either chain)', '500')
    .option('--max-catch-up <blocks>', 'further behind than this after a stop, skip to the tip and clear from chain state', '1000')
    .option('--connection-id <id>', "only this connection (either chain's id); default: every OPEN connection between the two chains")
    .action(async (_o, cmd: Command) => {
      const { rt } = await runtime(cmd, true);
      const o = cmd.opts() as { metricsPort?: string; pollMs: string; maxCatchUp: string; connectionId?: string };
      const ac = new AbortController();
      let signals = 0;
      // A second signal gives up on the transaction in flight: the error reaches cli.ts, the one place that exits.
      let forceStop: (e: Error) => void = () => {};
      const forced = new Promise<never>((_r, reject) => (forceStop = reject));
      const onSignal = (sig: string) => {
        signals++;
        if (signals === 1) {
          rt.logger.info('stopping: finishing the transaction in flight and saving state', { signal: sig });
          ac.abort();
        } else {
          forceStop(
            new LuncMlError('interrupted', `second ${sig}: stopped without waiting for the transaction in flight`, {
              exitCode: ExitCode.interrupted,
              hint: 'state is saved after every relayed batch; `relay start` resumes where it stopped',
            }),
          );
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const run = rt.start({
          signal: ac.signal,
          metricsPort: o.metricsPort !== undefined ? Number(o.metricsPort) : undefined,
          pollMs: Number(o.pollMs),
          maxCatchUpBlocks: Number(o.maxCatchUp),
          connectionId: o.connectionId,
        });
        await Promise.race([run, forced]);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        rt.close();
      }
    });

  addCommon(relay.command('pending'))
    .description('unrelayed packets and acks per channel of every open connection (like `hermes query packet pending`); reads only')
    .option('--connection-id <id>', "only this connection (either chain's id); default: every OPEN connection between the two chains")
    .action(async (_o, cmd: Command) => {
      const { ctx, rt } = await runtime(cmd);
      try {
        const rows = await rt.pending(cmd.opts() as { connectionId?: string });
        ctx.print({ channels: rows }, (r) =>
          r.channels.length === 0
            ? 'no channels on the open connections'
            : r.channels
                .map(
                  (c) =>
                    `${c.chain} ${c.port}/${c.channel} -> ${c.counterpartyChain} ${c.counterpartyPort}/${c.counterpartyChannel}\n  unreceived packets: ${c.unreceivedPackets.join(', ') || 'none'}\n  unreceived acks:    ${c.unreceivedAcks.join(', ') || 'none'}`,
                )
                .join('\n'),
        );
      } finally {
        rt.close();
      }
    });

  addCommon(relay.command('clear'))
    .description('relay what is pending now on every open connection (packets, acks, timeouts, channel handshakes), then exit')
    .option('--connection-id <id>', "only this connection (either chain's id); default: every OPEN connection between the two chains")
    .action(async (_o, cmd: Command) => {
      const { ctx, rt } = await runtime(cmd, true);
      try {
        const res = await rt.clear(cmd.opts() as { connectionId?: string });
        ctx.print(res, (r) => `relayed ${r.packets} packets, ${r.acks} acks, ${r.timeouts} timeouts`);
      } finally {
        rt.close();
      }
    });

  const cfg = relay.command('config').description('relayer configuration');
  cfg
    .command('init')
    .description('write a sample relayer TOML config')
    .option('--out <file>', 'where to write it (default: <home>/relayer/config.toml; "-" for stdout)')
    .option('--force', 'overwrite an existing file')
    .action(async (_o, cmd: Command) => {
      const ctx = commandContext(cmd);
      const o = cmd.opts() as { out?: string; force?: boolean };
      const { SAMPLE_CONFIG } = await import('../relayer/config.js');
      if (o.out === '-') {
        process.stdout.write(SAMPLE_CONFIG);
        return;
      }
      const out = o.out ?? join(ctx.config.home, 'relayer', 'config.toml');
      if (existsSync(out) && !o.force) throw new UsageError(`${out} already exists`, { code: 'exists', hint: 'pass --force to overwrite' });
      const { writeFileAtomic } = await import('../relayer/state.js');
      writeFileAtomic(out, SAMPLE_CONFIG);
      ctx.print({ written: out }, (r) => `wrote ${r.written}`);
    });

  addCommon(cfg.command('hermes'))
    .description('a Hermes 1.13 config for the same two chains (from --config, or the devnet with --chain local): endpoints, prefixes, gas prices, filters, misbehaviour = false')
    .option('--out <file>', 'write it here (default: stdout)')
    .option('--force', 'overwrite an existing file')
    .option('--unbonding <duration>', "both chains' unbonding period: trusting_period is 2/3 of it where the config leaves it at 0", '21days')
    .action(async (_o, cmd: Command) => {
      const ctx = commandContext(cmd);
      const f = cmd.opts() as RelayFlags & { out?: string; force?: boolean; unbonding: string };
      const [{ resolveConfig }, { hermesConfig }, { parseDuration }] = await Promise.all([import('../relayer/service.js'), import('../relayer/hermes.js'), import('../relayer/config.js')]);
      const { config } = await resolveConfig({
        configPath: f.config,
        chain: ctx.config.chain,
        home: ctx.config.home,
        devnetHome: devnetHome(ctx),
        packageRoot,
        accounts: f.accounts,
        mnemonicFile: f.mnemonicFile,
      });
      const unbonding = parseDuration(f.unbonding, '--unbonding');
      const text = hermesConfig(config, { unbondingS: Object.fromEntries(config.chains.map((c) => [c.id, unbonding])) });
      if (!f.out || f.out === '-') {
        process.stdout.write(text);
        return;
      }
      if (existsSync(f.out) && !f.force) throw new UsageError(`${f.out} already exists`, { code: 'exists', hint: 'pass --force to overwrite' });
      const { writeFileAtomic } = await import('../relayer/state.js');
      writeFileAtomic(f.out, text);
      ctx.print({ written: f.out }, (r) => `wrote ${r.written}`);
    });
}
