// What each `lunc-ml relay …` command does, as library calls: resolve the config (a TOML file, or the devnet
// profile), connect both endpoints, and create clients/connections, link, relay until stopped, list or clear what is
// pending. The commands only parse flags, pick the signers and print.
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import type { OfflineSigner } from '@cosmjs/proto-signing';
import { ConfigError, UsageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { configFromDevnet, parseConfig, type RelayerConfig } from './config.js';
import type { ChainEndpoint } from './endpoint.js';
import { createClient, Link } from './link.js';
import { RelayerMetrics } from './metrics.js';
import { queryPending, Relayer, type PendingReport } from './relayer.js';
import { connectEndpoints, ensureLink, existingLinks, orient } from './setup.js';
import { StateStore } from './state.js';

export interface ResolveOptions {
  /** --config: a TOML file. */
  configPath?: string;
  /** The CLI's chain setting: `local`/`local-ml` or a devnet profile.json path select the devnet. */
  chain: string;
  /** lunc-ml home (default config and state live under <home>/relayer). */
  home: string;
  /** The devnet home, for `--chain local`. */
  devnetHome: string;
  /** The package root (its fixtures/devnet/accounts.json is the last resort for the devnet mnemonic). */
  packageRoot: string;
  mnemonicFile?: string;
  accounts?: string;
  statePath?: string;
}

export interface Resolved {
  config: RelayerConfig;
  statePath: string;
  /** Built from a devnet profile (then `profilePath` is that profile.json). */
  local: boolean;
  profilePath: string;
}

/** The `relayer` mnemonic from the devnet accounts file (read by the devnet's one accounts reader). */
export async function relayerMnemonicFromAccounts(path: string): Promise<string> {
  if (!existsSync(path)) throw new ConfigError(`no devnet accounts file at ${path}`, { hint: 'run `lunc-ml devnet up` first, or pass --accounts / --mnemonic-file' });
  const { readAccounts } = await import('../devnet/index.js');
  return readAccounts(path).find((a) => a.name === 'relayer')!.mnemonic;
}

/** The relayer config and state file a command uses: --config, else the devnet profile, else <home>/relayer/config.toml. */
export async function resolveConfig(o: ResolveOptions): Promise<Resolved> {
  let config: RelayerConfig;
  let local = false;
  let profilePath = '';
  const defaultPath = join(o.home, 'relayer', 'config.toml');
  if (o.configPath) {
    if (!existsSync(o.configPath)) throw new ConfigError(`no relayer config at ${o.configPath}`, { hint: 'write one with `lunc-ml relay config init`' });
    config = parseConfig(readFileSync(o.configPath, 'utf8'), o.configPath);
  } else if (o.chain === 'local' || o.chain === 'local-ml' || o.chain.endsWith('.json')) {
    // The devnet: --chain local (profile in the devnet home) or --chain <path/to/profile.json>.
    local = true;
    profilePath = o.chain.endsWith('.json') ? o.chain : join(o.devnetHome, 'profile.json');
    if (!existsSync(profilePath)) throw new ConfigError(`no devnet profile at ${profilePath}`, { code: 'no_profile', hint: 'start the devnet with `lunc-ml devnet up`' });
    const profile = JSON.parse(readFileSync(profilePath, 'utf8'));
    const mnemonic = o.mnemonicFile
      ? readFileSync(o.mnemonicFile, 'utf8').trim()
      : await relayerMnemonicFromAccounts(
          o.accounts ??
            (typeof profile.accountsFile === 'string' && existsSync(profile.accountsFile)
              ? profile.accountsFile
              : existsSync(join(dirname(profilePath), 'accounts.json'))
                ? join(dirname(profilePath), 'accounts.json')
                : join(o.packageRoot, 'fixtures', 'devnet', 'accounts.json')),
        );
    config = configFromDevnet(profile, { mnemonic });
  } else if (existsSync(defaultPath)) {
    config = parseConfig(readFileSync(defaultPath, 'utf8'), defaultPath);
  } else {
    throw new ConfigError('no relayer config', { hint: `pass --config <file>, write ${defaultPath} with \`lunc-ml relay config init\`, or use --chain local for the devnet` });
  }
  if (o.mnemonicFile && !local) {
    const m = readFileSync(o.mnemonicFile, 'utf8').trim();
    for (const c of config.chains) c.mnemonic = m;
  }
  const statePath = o.statePath ?? (local ? join(dirname(profilePath), 'relayer-state.json') : join(o.home, 'relayer', 'state.json'));
  return { config, statePath, local, profilePath };
}

/** Signers from the config's mnemonics; chains without one get `keySigner(chain)` (a keyring key). */
export async function signersFor(config: RelayerConfig, keySigner: (c: RelayerConfig['chains'][number]) => Promise<OfflineSigner>): Promise<Record<string, OfflineSigner>> {
  const { walletFromMnemonic } = await import('../core/signer.js');
  const out: Record<string, OfflineSigner> = {};
  for (const c of config.chains) out[c.id] = c.mnemonic ? await walletFromMnemonic(c.mnemonic, c.accountPrefix, c.coinType) : await keySigner(c);
  return out;
}

/** Both endpoints connected, the state file and (optionally) metrics: what every relay command works with. */
export class RelayerRuntime {
  private constructor(
    readonly resolved: Resolved,
    readonly eps: [ChainEndpoint, ChainEndpoint],
    readonly store: StateStore,
    readonly logger: Logger,
    readonly metrics?: RelayerMetrics,
  ) {}

  static async open(resolved: Resolved, signers: Record<string, OfflineSigner>, logger: Logger, opts: { metrics?: boolean } = {}): Promise<RelayerRuntime> {
    const metrics = opts.metrics ? new RelayerMetrics() : undefined;
    const eps = await connectEndpoints(resolved.config, signers, logger, metrics);
    return new RelayerRuntime(resolved, eps, new StateStore(resolved.statePath), logger, metrics);
  }

  close(): void {
    this.eps.forEach((e) => e.disconnect());
  }

  get config(): RelayerConfig {
    return this.resolved.config;
  }

  /** Creates on `dst` a client of `src` (chain ids; default: the config order). */
  async createClient(o: { src: string; dst: string }): Promise<{ host: string; tracks: string; clientId: string }> {
    const [src, dst] = orient(this.eps, o.src, o.dst);
    const clientId = await createClient(dst, src, this.logger);
    return { host: dst.chainId, tracks: src.chainId, clientId };
  }

  /** Opens a connection (creating the clients not given) and records it in the state file. */
  async createConnection(o: { src?: string; dst?: string; srcClient?: string; dstClient?: string }): Promise<Record<string, { clientId: string; connectionId: string }>> {
    const [a, b] = orient(this.eps, o.src, o.dst);
    const ca = o.srcClient ?? (await createClient(a, b, this.logger));
    const cb = o.dstClient ?? (await createClient(b, a, this.logger));
    const link = new Link({ ep: a, clientId: ca }, { ep: b, clientId: cb }, this.logger);
    const conn = await link.createConnection();
    this.store.putLink({ chainId: a.chainId, clientId: ca, connectionId: conn.a }, { chainId: b.chainId, clientId: cb, connectionId: conn.b });
    this.store.flush();
    return { [a.chainId]: { clientId: ca, connectionId: conn.a }, [b.chainId]: { clientId: cb, connectionId: conn.b } };
  }

  /** Clients + connection + transfer channel, reusing OPEN ones; on the devnet the profile learns the channel ids. */
  async link() {
    const r = await ensureLink(this.eps, this.store, this.logger, this.metrics);
    if (this.resolved.local) await this.recordTransfer(r.transfer.channels);
    return r;
  }

  private async recordTransfer(channels: Record<string, string>): Promise<void> {
    const { recordTransferChannel } = await import('../devnet/devnet.js');
    recordTransferChannel(this.resolved.profilePath, channels);
  }

  /** Links of every OPEN connection (or the one named); on the devnet with none, `start` links first. */
  private async links(connectionId: string | undefined, linkIfNone: boolean): Promise<Link[]> {
    let links = await existingLinks(this.eps, this.store, this.logger, this.metrics, { connectionId });
    if (links.length === 0 && linkIfNone && this.resolved.local && !connectionId) {
      // The devnet: link it on first start (idempotent), so `devnet up` + `relay start` is all it takes.
      this.logger.info('no open connection on the devnet yet: linking');
      links = [(await this.link()).link];
    }
    if (links.length === 0) throw notLinked(this.eps, connectionId);
    return links;
  }

  /**
   * Relays until `signal` aborts: every OPEN connection (or `connectionId`), new ones as they open; serves
   * /metrics when a port is given (or [telemetry] enables it).
   */
  async start(o: { signal: AbortSignal; metricsPort?: number; pollMs?: number; maxCatchUpBlocks?: number; connectionId?: string }): Promise<void> {
    const links = await this.links(o.connectionId, true);
    let server: Server | undefined;
    try {
      const port = o.metricsPort ?? (this.config.telemetry.enabled ? this.config.telemetry.port : undefined);
      if (port !== undefined && this.metrics) {
        server = await this.metrics.serve(this.config.telemetry.host, port);
        const addr = server.address();
        this.logger.info('metrics listening', { url: `http://${this.config.telemetry.host}:${typeof addr === 'object' && addr ? addr.port : port}/metrics` });
      }
      this.logger.info('relaying', {
        [this.eps[0].chainId]: links.map((l) => l.a.connectionId).join(','),
        [this.eps[1].chainId]: links.map((l) => l.b.connectionId).join(','),
        stateFile: this.resolved.statePath,
      });
      const relayer = new Relayer(links, this.config, this.store, this.logger, this.metrics, {
        pollMs: o.pollMs,
        maxCatchUpBlocks: o.maxCatchUpBlocks,
        // Without --connection-id, connections opened while running are relayed too.
        discover: o.connectionId ? undefined : () => existingLinks(this.eps, this.store, this.logger, this.metrics),
      });
      await relayer.run(o.signal);
    } finally {
      server?.close();
    }
  }

  /** Unrelayed packets and acks per channel; reads only (the state file is not written). */
  async pending(o: { connectionId?: string } = {}): Promise<PendingReport[]> {
    const links = await existingLinks(this.eps, this.store, this.logger, undefined, { connectionId: o.connectionId });
    if (links.length === 0) throw notLinked(this.eps, o.connectionId);
    return queryPending(links);
  }

  /** Relays what is pending now (two passes: packets, then the acks their receipt wrote) and reports what is left. */
  async clear(o: { connectionId?: string } = {}): Promise<{ packets: number; acks: number; timeouts: number; pending: PendingReport[] }> {
    const links = await this.links(o.connectionId, false);
    const relayer = new Relayer(links, this.config, this.store, this.logger, this.metrics);
    await relayer.step({ forceClear: true });
    await relayer.step({ forceClear: true });
    const m = this.metrics;
    return { packets: m ? sum(m.packetsRelayed) : 0, acks: m ? sum(m.acksRelayed) : 0, timeouts: m ? sum(m.timeoutsRelayed) : 0, pending: await queryPending(links) };
  }
}

function notLinked(eps: Array<{ chainId: string }>, connectionId?: string): UsageError {
  return connectionId
    ? new UsageError(`${connectionId} is not an OPEN connection between ${eps[0].chainId} and ${eps[1].chainId}`, {
        code: 'not_linked',
        hint: 'list them with `lunc-ml relay pending`, or run `lunc-ml relay link`',
      })
    : new UsageError(`no open connection between ${eps[0].chainId} and ${eps[1].chainId}`, { code: 'not_linked', hint: 'run `lunc-ml relay link` first' });
}

function sum(c: { render(): string[] }): number {
  return c.render().reduce((n, line) => n + Number(line.split(' ').pop()), 0);
}
