// `lunc-ml relay …`: a built-in IBC relayer (clients, connection, ICA channel handshakes, packets, acks,
// timeouts). Heavy modules (CosmJS, smol-toml) load inside the actions.
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { commandContext, type CommandContext } from './context.js';
import { devnetHome, packageRoot, keyringFor, keyringPassword } from './shared.js';
import { ConfigError, ExitCode, LuncMlError, UsageError } from '../core/errors.js';
import { createLogger, type Logger, type LogLevel } from '../core/logger.js';
import type { RelayerConfig } from '../relayer/config.js';

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

/** The `relayer` mnemonic from the devnet accounts file (read by the devnet's one accounts reader). */
export async function relayerMnemonicFromAccounts(path: string): Promise<string> {
  if (!existsSync(path)) throw new ConfigError(`no devnet accounts file at ${path}`, { hint: 'run `lunc-ml devnet up` first, or pass --accounts / --mnemonic-file' });
  const { readAccounts } = await import('../devnet/index.js');
  return readAccounts(path).find((a) => a.name === 'relayer')!.mnemonic;
}

interface Loaded {
  ctx: CommandContext;
  config: RelayerConfig;
  logger: Logger;
  statePath: string;
  local: boolean;
  /** The devnet profile.json the config was built from (local only). */
  profilePath: string;
}

async function loadConfig(cmd: Command): Promise<Loaded> {
  const ctx = commandContext(cmd);
  const f = cmd.opts() as RelayFlags;
  const cfgMod = await import('../relayer/config.js');
  let config: RelayerConfig;
  let local = false;
  let profilePath = '';
  const defaultPath = join(ctx.config.home, 'relayer', 'config.toml');
  if (f.config) {
    if (!existsSync(f.config)) throw new ConfigError(`no relayer config at ${f.config}`, { hint: 'write one with `lunc-ml relay config init`' });
    config = cfgMod.parseConfig(readFileSync(f.config, 'utf8'), f.config);
  } else if (ctx.config.chain === 'local' || ctx.config.chain === 'local-ml' || ctx.config.chain.endsWith('.json')) {
    // The devnet: --chain local (profile in the devnet home) or --chain <path/to/profile.json>.
    local = true;
    profilePath = ctx.config.chain.endsWith('.json') ? ctx.config.chain : join(devnetHome(ctx), 'profile.json');
    if (!existsSync(profilePath)) throw new ConfigError(`no devnet profile at ${profilePath}`, { code: 'no_profile', hint: 'start the devnet with `lunc-ml devnet up`' });
    const profile = JSON.parse(readFileSync(profilePath, 'utf8'));
    const mnemonic = f.mnemonicFile
      ? readFileSync(f.mnemonicFile, 'utf8').trim()
      : await relayerMnemonicFromAccounts(
          f.accounts ??
            (typeof profile.accountsFile === 'string' && existsSync(profile.accountsFile)
              ? profile.accountsFile
              : existsSync(join(dirname(profilePath), 'accounts.json'))
                ? join(dirname(profilePath), 'accounts.json')
                : join(packageRoot, 'fixtures', 'devnet', 'accounts.json')),
        );
    config = cfgMod.configFromDevnet(profile, { mnemonic });
  } else if (existsSync(defaultPath)) {
    config = cfgMod.parseConfig(readFileSync(defaultPath, 'utf8'), defaultPath);
  } else {
    throw new ConfigError('no relayer config', { hint: `pass --config <file>, write ${defaultPath} with \`lunc-ml relay config init\`, or use --chain local for the devnet` });
  }
  if (f.mnemonicFile && !local) {
    const m = readFileSync(f.mnemonicFile, 'utf8').trim();
    for (const c of config.chains) c.mnemonic = m;
  }
  const logger = ctx.config.sources.logLevel === 'default' ? createLogger({ level: config.global.logLevel as LogLevel, format: ctx.config.logFormat as 'text' | 'json' }) : ctx.logger;
  const statePath = f.state ?? (local ? join(dirname(profilePath), 'relayer-state.json') : join(ctx.config.home, 'relayer', 'state.json'));
  return { ctx, config, logger, statePath, local, profilePath };
}

async function signersFor(l: Loaded): Promise<Record<string, import('@cosmjs/proto-signing').OfflineSigner>> {
  const { walletFromMnemonic, loadSigner } = await import('../core/signer.js');
  const out: Record<string, import('@cosmjs/proto-signing').OfflineSigner> = {};
  let password: string | undefined;
  for (const c of l.config.chains) {
    if (c.mnemonic) out[c.id] = await walletFromMnemonic(c.mnemonic, c.accountPrefix, c.coinType);
    else {
      const kr = await keyringFor(l.ctx);
      password ??= await keyringPassword(l.ctx, 'unlock');
      out[c.id] = (await loadSigner(kr, c.keyName, c.accountPrefix, password)).wallet;
    }
  }
  return out;
}

async function runtime(cmd: Command, withMetrics = false) {
  const l = await loadConfig(cmd);
  const [{ connectEndpoints }, { StateStore }, { RelayerMetrics }] = await Promise.all([import('../relayer/setup.js'), import('../relayer/state.js'), import('../relayer/metrics.js')]);
  const metrics = withMetrics ? new RelayerMetrics() : undefined;
  const signers = await signersFor(l);
  const eps = await connectEndpoints(l.config, signers, l.logger, metrics);
  const store = new StateStore(l.statePath);
  const close = () => eps.forEach((e) => e.disconnect());
  return { ...l, eps, store, metrics, close };
}

export function registerRelay(program: Command): void {
  const relay = program.command('relay').description('IBC relayer between the LUNC chain and the ML chain (clients, connection, ICA channels, packets)');

  const create = relay.command('create').description('create IBC clients and connections');
  addCommon(create.command('client'))
    .description('create on --dst a 07-tendermint client of --src')
    .requiredOption('--src <chain>', 'chain the client tracks')
    .requiredOption('--dst <chain>', 'chain that hosts the client')
    .action(async (_o, cmd: Command) => {
      const rt = await runtime(cmd);
      try {
        const { orient } = await import('../relayer/setup.js');
        const { createClient } = await import('../relayer/link.js');
        const o = cmd.opts() as { src: string; dst: string };
        const [src, dst] = orient(rt.eps, o.src, o.dst);
        const clientId = await createClient(dst, src, rt.logger);
        rt.ctx.print({ host: dst.chainId, tracks: src.chainId, clientId }, (r) => `created ${r.clientId} on ${r.host} (tracks ${r.tracks})`);
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
      const rt = await runtime(cmd);
      try {
        const { orient } = await import('../relayer/setup.js');
        const { createClient, Link } = await import('../relayer/link.js');
        const o = cmd.opts() as { src?: string; dst?: string; srcClient?: string; dstClient?: string };
        const [a, b] = orient(rt.eps, o.src, o.dst);
        const ca = o.srcClient ?? (await createClient(a, b, rt.logger));
        const cb = o.dstClient ?? (await createClient(b, a, rt.logger));
        const link = new Link({ ep: a, clientId: ca }, { ep: b, clientId: cb }, rt.logger);
        const conn = await link.createConnection();
        rt.store.putLink({ chainId: a.chainId, clientId: ca, connectionId: conn.a }, { chainId: b.chainId, clientId: cb, connectionId: conn.b });
        rt.store.flush();
        const res = { [a.chainId]: { clientId: ca, connectionId: conn.a }, [b.chainId]: { clientId: cb, connectionId: conn.b } };
        rt.ctx.print(res, () => `${a.chainId} ${ca} ${conn.a}  <->  ${b.chainId} ${cb} ${conn.b}`);
      } finally {
        rt.close();
      }
    });

  addCommon(relay.command('link'))
    .description('clients + connection between the two chains; reuses an OPEN connection (idempotent)')
    .action(async (_o, cmd: Command) => {
      const rt = await runtime(cmd);
      try {
        const { ensureLink } = await import('../relayer/setup.js');
        const { link, created, transfer } = await ensureLink(rt.eps, rt.store, rt.logger);
        if (rt.local) await recordTransfer(rt, transfer.channels);
        const res = {
          created,
          [link.a.ep.chainId]: { clientId: link.a.clientId, connectionId: link.a.connectionId, transferChannel: link.a.transferChannel },
          [link.b.ep.chainId]: { clientId: link.b.clientId, connectionId: link.b.connectionId, transferChannel: link.b.transferChannel },
          transferCreated: transfer.created,
          stateFile: rt.statePath,
        };
        rt.ctx.print(
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
    .option('--poll-ms <ms>', 'pause between passes', '500')
    .option('--max-catch-up <blocks>', 'further behind than this after a stop, skip to the tip and clear from chain state', '1000')
    .option('--connection-id <id>', "only this connection (either chain's id); default: every OPEN connection between the two chains")
    .action(async (_o, cmd: Command) => {
      const rt = await runtime(cmd, true);
      const o = cmd.opts() as { metricsPort?: string; pollMs: string; maxCatchUp: string; connectionId?: string };
      const { existingLinks, ensureLink } = await import('../relayer/setup.js');
      const { Relayer } = await import('../relayer/relayer.js');
      let links = await existingLinks(rt.eps, rt.store, rt.logger, rt.metrics, { connectionId: o.connectionId });
      if (links.length === 0 && rt.local && !o.connectionId) {
        // The devnet: link it on first start (idempotent), so `devnet up` + `relay start` is all it takes.
        rt.logger.info('no open connection on the devnet yet: linking');
        const linked = await ensureLink(rt.eps, rt.store, rt.logger, rt.metrics);
        await recordTransfer(rt, linked.transfer.channels);
        links = [linked.link];
      }
      if (links.length === 0) {
        rt.close();
        throw notLinked(rt.eps, o.connectionId);
      }
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
      let server: import('node:http').Server | undefined;
      try {
        const port = o.metricsPort !== undefined ? Number(o.metricsPort) : rt.config.telemetry.enabled ? rt.config.telemetry.port : undefined;
        if (port !== undefined) {
          server = await rt.metrics!.serve(rt.config.telemetry.host, port);
          const addr = server.address();
          rt.logger.info('metrics listening', { url: `http://${rt.config.telemetry.host}:${typeof addr === 'object' && addr ? addr.port : port}/metrics` });
        }
        rt.logger.info('relaying', { [rt.eps[0].chainId]: links.map((l) => l.a.connectionId).join(','), [rt.eps[1].chainId]: links.map((l) => l.b.connectionId).join(','), stateFile: rt.statePath });
        const relayer = new Relayer(links, rt.config, rt.store, rt.logger, rt.metrics, {
          pollMs: Number(o.pollMs),
          maxCatchUpBlocks: Number(o.maxCatchUp),
          // Without --connection-id, connections opened while running are relayed too.
          discover: o.connectionId ? undefined : () => existingLinks(rt.eps, rt.store, rt.logger, rt.metrics),
        });
        await Promise.race([relayer.run(ac.signal), forced]);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        server?.close();
        rt.close();
      }
    });

  addCommon(relay.command('pending'))
    .description('unrelayed packets and acks per channel of every open connection (like `hermes query packet pending`); reads only')
    .option('--connection-id <id>', "only this connection (either chain's id); default: every OPEN connection between the two chains")
    .action(async (_o, cmd: Command) => {
      const rt = await runtime(cmd);
      try {
        const { existingLinks } = await import('../relayer/setup.js');
        const { queryPending } = await import('../relayer/relayer.js');
        const o = cmd.opts() as { connectionId?: string };
        const links = await existingLinks(rt.eps, rt.store, rt.logger, undefined, { connectionId: o.connectionId });
        if (links.length === 0) throw notLinked(rt.eps, o.connectionId);
        const rows = await queryPending(links);
        rt.ctx.print({ channels: rows }, (r) =>
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
      const rt = await runtime(cmd, true);
      try {
        const { existingLinks } = await import('../relayer/setup.js');
        const { Relayer, queryPending } = await import('../relayer/relayer.js');
        const o = cmd.opts() as { connectionId?: string };
        const links = await existingLinks(rt.eps, rt.store, rt.logger, rt.metrics, { connectionId: o.connectionId });
        if (links.length === 0) throw notLinked(rt.eps, o.connectionId);
        const relayer = new Relayer(links, rt.config, rt.store, rt.logger, rt.metrics);
        // Two passes: packets first, then the acks their receipt wrote.
        await relayer.step({ forceClear: true });
        await relayer.step({ forceClear: true });
        const m = rt.metrics!;
        const res = { packets: sum(m.packetsRelayed), acks: sum(m.acksRelayed), timeouts: sum(m.timeoutsRelayed), pending: await queryPending(links) };
        rt.ctx.print(res, (r) => `relayed ${r.packets} packets, ${r.acks} acks, ${r.timeouts} timeouts`);
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
}

function notLinked(eps: Array<{ chainId: string }>, connectionId?: string): UsageError {
  return connectionId
    ? new UsageError(`${connectionId} is not an OPEN connection between ${eps[0].chainId} and ${eps[1].chainId}`, {
        code: 'not_linked',
        hint: 'list them with `lunc-ml relay pending`, or run `lunc-ml relay link`',
      })
    : new UsageError(`no open connection between ${eps[0].chainId} and ${eps[1].chainId}`, { code: 'not_linked', hint: 'run `lunc-ml relay link` first' });
}

/** The devnet's profile.json learns the transfer channel ids (x/ml and the tests read them there). */
async function recordTransfer(l: Loaded, channels: Record<string, string>): Promise<void> {
  const { recordTransferChannel } = await import('../devnet/devnet.js');
  recordTransferChannel(l.profilePath, channels);
}

function sum(c: { render(): string[] }): number {
  return c.render().reduce((n, line) => n + Number(line.split(' ').pop()), 0);
}
