// The body of `gpu serve`, loaded only when it runs: wires keys, chain, device pool, store, HTTP and signals.
import type { CommandContext } from './context.js';
import { keyringFor, keyringPassword } from './shared.js';
import { ConfigError } from '../core/errors.js';
import type { ChainProfile } from '../core/profiles.js';
import { loadSigner } from '../core/signer.js';
import { withQueryClient } from '../core/chain-client.js';
import { CosmjsExecutorChain } from '../gpu/serve/chain.js';
import { executorKeyPath, loadOrCreateX25519 } from '../gpu/serve/executor-key.js';
import { OutputStore } from '../gpu/serve/output-store.js';
import { ExecutorState } from '../gpu/serve/state.js';
import { ExecutorService } from '../gpu/serve/service.js';
import { startHttp } from '../gpu/serve/http.js';
import { createRunner } from '../gpu/serve/runner.js';
import { ExecutorMetrics } from '../gpu/serve/metrics.js';
import { createSealer } from '../gpu/serve/sealer.js';
import { queryExecutor } from '../ica/ml-query.js';
import { join } from 'node:path';

export interface ServeOptions {
  executorKey: string;
  modelsDir: string;
  devices: string;
  allowCpu: boolean;
  outputDir: string;
  httpHost: string;
  httpPort: number;
  publicUrl?: string;
  pollMs: number;
}

export async function serveExecutor(ctx: CommandContext, chain: ChainProfile, o: ServeOptions): Promise<void> {
  const log = ctx.logger.child({ component: 'executor' });
  const kr = await keyringFor(ctx);
  const signer = await loadSigner(kr, o.executorKey, chain.prefix, await keyringPassword(ctx, 'unlock'));
  const enc = loadOrCreateX25519(executorKeyPath(ctx.config.home, o.executorKey), false);

  // Registered, active, and publishing the key we hold: otherwise nothing would ever be assigned or openable.
  const reg = await withQueryClient(chain, (q) => queryExecutor(q, signer.address));
  if (!reg) throw new ConfigError(`${signer.address} is not a registered executor on ${chain.chainId}`, { code: 'not_registered', hint: 'run `lunc-ml gpu register --operator-key <validator key> --executor-key ' + o.executorKey + ' --models ...` first' });
  if (!reg.active) throw new ConfigError(`executor ${signer.address} is retired on ${chain.chainId}`, { code: 'not_registered', hint: 'register it again with `lunc-ml gpu register`' });
  if (Buffer.compare(Buffer.from(reg.encryptionPubkey), Buffer.from(enc.publicKey)) !== 0) {
    throw new ConfigError('the encryption key on chain differs from the local one', { code: 'key_mismatch', hint: 'run `lunc-ml gpu register` again to publish the local key' });
  }

  const metrics = new ExecutorMetrics();
  log.info('loading models and running self-tests', { models: reg.models, devices: o.devices });
  const runner = await createRunner({ modelsDir: o.modelsDir, models: reg.models, devices: o.devices, allowCpu: o.allowCpu, logger: log, metrics });
  const store = new OutputStore(o.outputDir);
  const state = new ExecutorState(join(o.outputDir, '..', 'state.json'));
  let service: ExecutorService | undefined;
  const http = await startHttp({ store, host: o.httpHost, port: o.httpPort, metrics: () => metrics.render(), health: () => ({ ok: true, executor: signer.address, chain: chain.chainId, devices: runner.devices }) });
  const publicUrl = o.publicUrl ?? http.url;
  const chainClient = await CosmjsExecutorChain.connect(chain, signer.wallet, log);
  service = new ExecutorService({
    executor: signer.address,
    chain: chainClient,
    runner,
    store,
    state,
    sealer: createSealer(enc),
    publicUrl,
    logger: log,
    metrics,
    pollMs: o.pollMs,
    concurrency: Math.max(1, runner.devices.length),
  });
  await service.start();
  log.info('executor serving', { executor: signer.address, chain: chain.chainId, outputs: `${publicUrl}/outputs/`, metrics: `${http.url}/metrics`, devices: runner.devices });

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      log.info('stopping: no new jobs; finishing running ones', { signal: sig });
      void service!
        .stop(30_000)
        .catch((e) => log.error('stop failed', { error: (e as Error).message }))
        .finally(async () => {
          await http.close();
          chainClient.close();
          resolve();
        });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
