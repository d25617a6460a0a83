// `lunc-ml gpu register` and `lunc-ml gpu serve`: the validator-side executor. Everything heavy loads in the actions.
import type { Command } from 'commander';
import { join } from 'node:path';
import { commandContext, type CommandContext } from './context.js';
import { keyringFor, keyringPassword, packageRoot, profileFor, confirm } from './shared.js';
import { UsageError } from '../core/errors.js';
import type { ChainProfile, ProfileSet } from '../core/profiles.js';

function mlChain(p: ProfileSet): ChainProfile {
  // On the devnet profile the ML chain is the host; a profile that is itself the ML chain has no host.
  return p.host ?? p.controller;
}

export function defaultModelsDir(ctx: CommandContext): string {
  return ctx.env.LUNC_ML_MODELS ?? join(packageRoot, 'fixtures', 'models');
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
    .description('register (or update) this validator\'s executor on the ML chain; creates its X25519 prompt key')
    .requiredOption('--operator-key <key>', 'keyring key of the validator operator account (signs MsgRegisterExecutor)')
    .option('--executor-key <key>', 'keyring key that signs results and receives fees (default: the operator key)')
    .requiredOption('--models <ids>', 'comma-separated model ids served, e.g. tiny-sd,tiny-audio,tiny-chat')
    .option('--devices <n>', 'GPUs (or CPU slots) jobs run on', '1')
    .option('-y, --yes', 'do not ask', false)
    .action(async (flags: RegisterFlags, c: Command) => {
      const ctx = commandContext(c);
      const profile = profileFor(ctx);
      const chain = mlChain(profile);
      const models = flags.models.split(',').map((m) => m.trim()).filter(Boolean);
      if (models.length === 0 || models.length > 32) throw new UsageError('--models must list 1 to 32 model ids');
      const devices = Number(flags.devices);
      if (!Number.isInteger(devices) || devices < 1 || devices > 64) throw new UsageError(`--devices must be 1..64, got "${flags.devices}"`);
      const executorKey = flags.executorKey ?? flags.operatorKey;
      const kr = await keyringFor(ctx);
      const { addressOf, loadSigner } = await import('../core/signer.js');
      const { toBech32, fromBech32 } = await import('@cosmjs/encoding');
      const executor = addressOf(kr.show(executorKey), chain.prefix);
      const password = await keyringPassword(ctx, 'unlock');
      const op = await loadSigner(kr, flags.operatorKey, chain.prefix, password);
      const operator = toBech32(`${chain.prefix}valoper`, fromBech32(op.address, 128).data);
      const { executorKeyPath, loadOrCreateX25519 } = await import('../gpu/serve/executor-key.js');
      const enc = loadOrCreateX25519(executorKeyPath(ctx.config.home, executorKey), true);
      const { TxSender } = await import('../core/chain-client.js');
      const { MsgRegisterExecutor } = await import('../proto/lunc/ml/v1/tx.js');
      const { buildRegistry } = await import('../ica/registry.js');
      const sender = await TxSender.connect(chain, op.wallet, ctx.logger, buildRegistry());
      try {
        const msg = { typeUrl: '/lunc.ml.v1.MsgRegisterExecutor', value: MsgRegisterExecutor.fromPartial({ operator, executor, encryptionPubkey: Buffer.from(enc.publicKey), models, devices }) };
        const plan = await sender.plan([msg], { gas: 'auto', gasAdjustment: ctx.config.gasAdjustment, gasPrice: ctx.config.gasPrices ?? chain.gasPrice });
        await confirm(ctx, `Register executor ${executor} for ${operator} on ${chain.chainId}?`, flags.yes);
        const res = await sender.send([msg], plan.fee);
        const out = { chainId: chain.chainId, operator, executor, models, devices, encryptionPubkey: Buffer.from(enc.publicKey).toString('base64'), txHash: res.transactionHash, height: res.height };
        ctx.print(out, (r) => `executor ${r.executor} registered for ${r.operator} on ${r.chainId} (tx ${r.txHash}, height ${r.height})\n  models ${r.models.join(', ')}; devices ${r.devices}`);
      } finally {
        sender.disconnect();
      }
    });

  gpu
    .command('serve')
    .description('run the executor: pick up jobs assigned to this validator, run them, report results on chain')
    .requiredOption('--executor-key <key>', 'keyring key of the executor account (as registered)')
    .option('--models <dir>', 'model folder (default: fixtures/models, env LUNC_ML_MODELS)')
    .option('--devices <list>', 'CUDA device ids "0,1,2,3", or "cpu", or "cpu:N" for N CPU workers', 'cpu')
    .option('--allow-cpu', 'fall back to CPU when CUDA does not load', false)
    .option('--output-dir <dir>', 'content-addressed output store (default: <home>/executor/outputs)')
    .option('--http-host <host>', 'address the output/metrics server binds', '127.0.0.1')
    .option('--http-port <port>', 'port of the output/metrics server (0 = any free port)', '8787')
    .option('--public-url <url>', 'base URL written into results (default: http://<http-host>:<port>)')
    .option('--poll-ms <ms>', 'how often to look for jobs when the websocket is quiet', '1000')
    .action(async (flags: ServeFlags, c: Command) => {
      const ctx = commandContext(c);
      const profile = profileFor(ctx);
      const chain = mlChain(profile);
      const port = Number(flags.httpPort);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--http-port must be 0..65535, got "${flags.httpPort}"`);
      const local = profile.name.startsWith('local');
      if (!flags.publicUrl && !local) {
        throw new UsageError('--public-url is required off the local devnet: results on chain point at it, and a loopback address is useless to requesters', { hint: 'e.g. --public-url https://ml.example.org (a reverse proxy to --http-host/--http-port)' });
      }
      if (flags.publicUrl && !/^https?:\/\/[^\s]+$/.test(flags.publicUrl)) throw new UsageError(`--public-url "${flags.publicUrl}" is not an http(s) URL`);
      // output_uri = <public-url>/outputs/<64 hex> must fit x/ml's 512-byte limit.
      if (flags.publicUrl && Buffer.byteLength(flags.publicUrl) > 512 - 74) throw new UsageError('--public-url is too long: output URIs must fit in 512 bytes');
      const { serveExecutor } = await import('./gpu-serve-run.js');
      await serveExecutor(ctx, chain, {
        executorKey: flags.executorKey,
        modelsDir: flags.models ?? defaultModelsDir(ctx),
        devices: flags.devices,
        allowCpu: flags.allowCpu,
        outputDir: flags.outputDir ?? join(ctx.config.home, 'executor', 'outputs'),
        httpHost: flags.httpHost,
        httpPort: port,
        publicUrl: flags.publicUrl,
        pollMs: Number(flags.pollMs) || 1000,
      });
    });
}

