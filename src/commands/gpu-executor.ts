// `lunc-ml gpu register` and `lunc-ml gpu serve`: flags → src/gpu/executor.ts. Everything heavy loads in the actions.
import type { Command } from 'commander';
import { join } from 'node:path';
import { commandContext } from './context.js';
import { keyringFor, keyringPassword, modelsDirFor, profileFor, confirm } from './shared.js';
import { parseGas, parseUint } from './flags.js';
import { UsageError } from '../core/errors.js';
import type { ChainProfile, ProfileSet } from '../core/profiles.js';

function mlChain(p: ProfileSet): ChainProfile {
  // On the devnet profile the ML chain is the host; a profile that is itself the ML chain has no host.
  return p.host ?? p.controller;
}

interface RegisterFlags {
  operatorKey: string;
  executorKey?: string;
  models: string;
  devices: string;
  yes: boolean;
}

interface ServeFlags {
  executorKey: string;
  models?: string;
  devices: string;
  ep: string;
  allowCpu: boolean;
  outputDir?: string;
  httpHost: string;
  httpPort: string;
  publicUrl?: string;
  pollMs: string;
}

export function registerGpuExecutor(gpu: Command): void {
  gpu
    .command('register')
    .description("register (or update) this validator's executor on the ML chain; creates its X25519 prompt key")
    .requiredOption('--operator-key <key>', 'keyring key of the validator operator account (signs MsgRegisterExecutor, the proposal)')
    .option('--executor-key <key>', 'keyring key that signs results and receives fees, and accepts the proposal (MsgAcceptExecutor); it needs gas (default: the operator key)')
    .requiredOption('--models <ids>', 'comma-separated model ids served, e.g. tiny-sd,tiny-audio,tiny-chat')
    .option('--devices <n>', 'GPUs (or CPU slots) jobs run on', '1')
    .option('-y, --yes', 'do not ask', false)
    .action(async (flags: RegisterFlags, c: Command) => {
      const ctx = commandContext(c);
      const chain = mlChain(profileFor(ctx));
      const models = flags.models
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean);
      if (models.length === 0 || models.length > 32) throw new UsageError('--models must list 1 to 32 model ids');
      const devices = parseUint('--devices', flags.devices, 64, 1);
      const executorKey = flags.executorKey ?? flags.operatorKey;
      const kr = await keyringFor(ctx);
      const { addressOf, loadSigner } = await import('../core/signer.js');
      const executor = addressOf(kr.show(executorKey), chain.prefix);
      const password = await keyringPassword(ctx, 'unlock');
      const op = await loadSigner(kr, flags.operatorKey, chain.prefix, password);
      // x/ml needs the executor account's own consent: it signs the acceptance (the same key when they are one).
      const ex = executorKey === flags.operatorKey ? op : await loadSigner(kr, executorKey, chain.prefix, password);
      const { executorKeyPath, loadOrCreateX25519 } = await import('../gpu/serve/executor-key.js');
      const enc = loadOrCreateX25519(executorKeyPath(ctx.config.home, executorKey), true);
      const { registerExecutor } = await import('../gpu/executor.js');
      const out = await registerExecutor({
        chain,
        operator: op.wallet,
        executorSigner: ex.wallet,
        encryptionPubkey: enc.publicKey,
        models,
        devices,
        broadcast: { gas: parseGas('auto'), gasAdjustment: ctx.config.gasAdjustment, gasPrice: ctx.config.gasPrices ?? chain.gasPrice },
        confirm: (plan) => confirm(ctx, `Register executor ${executor} on ${chain.chainId} (fee ${plan.fee.amount.map((x) => x.amount + x.denom).join(',')})?`, flags.yes),
        logger: ctx.logger,
      });
      ctx.print(
        out,
        (r) =>
          `executor ${r.executor} registered for ${r.operator} on ${r.chainId} (proposal tx ${r.txHash}, accepted in tx ${r.acceptTxHash}, height ${r.height})\n  models ${r.models.join(', ')}; devices ${r.devices}`,
      );
    });

  gpu
    .command('serve')
    .description('run the executor: pick up jobs assigned to this validator, run them, report results on chain')
    .requiredOption('--executor-key <key>', 'keyring key of the executor account (as registered)')
    .option('--models <dir>', 'models folder (env LUNC_ML_MODELS, default <package>/fixtures/models)')
    .option('--devices <list>', 'devices, each on its EP: GPU ids "0,1,2,3" (on --ep), cuda:0, webgpu, "cpu" or "cpu:N" for N CPU workers, mixed: cuda:0,webgpu', 'cpu')
    .option('--ep <name>', 'execution provider of bare GPU ids in --devices: cuda | webgpu | cpu', 'cuda')
    .option('--allow-cpu', 'fall back to CPU when a GPU provider does not load', false)
    .option('--output-dir <dir>', 'content-addressed output store (default: <home>/executor/outputs)')
    .option('--http-host <host>', 'address the output/metrics server binds', '127.0.0.1')
    .option('--http-port <port>', 'port of the output/metrics server (0 = any free port)', '8787')
    .option('--public-url <url>', 'base URL written into results (default: http://<http-host>:<port>)')
    .option('--poll-ms <ms>', 'how often to look for jobs when the websocket is quiet', '1000')
    .action(async (flags: ServeFlags, c: Command) => {
      const ctx = commandContext(c);
      const profile = profileFor(ctx);
      const chain = mlChain(profile);
      const port = parseUint('--http-port', flags.httpPort, 65535);
      if (!flags.publicUrl && !profile.devnet) {
        throw new UsageError('--public-url is required off the local devnet: results on chain point at it, and a loopback address is useless to requesters', {
          hint: 'e.g. --public-url https://ml.example.org (a reverse proxy to --http-host/--http-port)',
        });
      }
      if (flags.publicUrl && !/^https?:\/\/[^\s]+$/.test(flags.publicUrl)) throw new UsageError(`--public-url "${flags.publicUrl}" is not an http(s) URL`);
      // output_uri = <public-url>/outputs/<64 hex> must fit x/ml's 512-byte limit.
      if (flags.publicUrl && Buffer.byteLength(flags.publicUrl) > 512 - 74) throw new UsageError('--public-url is too long: output URIs must fit in 512 bytes');
      const pollMs = parseUint('--poll-ms', flags.pollMs, 3_600_000, 50);
      // A device list or EP this build cannot run is a one-line error before any key is unlocked or model loaded.
      const { parseDevices, parseEp } = await import('../gpu/device-pool.js');
      const ep = parseEp(flags.ep);
      parseDevices(flags.devices, ep);
      const kr = await keyringFor(ctx);
      const { loadSigner } = await import('../core/signer.js');
      const signer = await loadSigner(kr, flags.executorKey, chain.prefix, await keyringPassword(ctx, 'unlock'));
      const { executorKeyPath, loadOrCreateX25519 } = await import('../gpu/serve/executor-key.js');
      const encryption = loadOrCreateX25519(executorKeyPath(ctx.config.home, flags.executorKey), false);
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      const log = ctx.logger.child({ component: 'executor' });
      const { runExecutor } = await import('../gpu/executor.js');
      await runExecutor({
        chain,
        signer: signer.wallet,
        encryption,
        modelsDir: modelsDirFor(ctx, flags.models),
        devices: flags.devices,
        ep,
        allowCpu: flags.allowCpu,
        outputDir: flags.outputDir ?? join(ctx.config.home, 'executor', 'outputs'),
        stateFile: join(ctx.config.home, 'executor', `${flags.executorKey}.state.json`),
        httpHost: flags.httpHost,
        httpPort: port,
        publicUrl: flags.publicUrl,
        pollMs,
        logger: log,
        signal: stop.signal,
        onReady: (i) => log.info('executor serving', { executor: i.executor, chain: chain.chainId, outputs: i.outputsUrl, metrics: i.metricsUrl, devices: i.devices }),
      });
    });
}
