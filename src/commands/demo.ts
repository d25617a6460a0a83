// `lunc-ml demo`: the seed's demo, real: devnet, relayer, executor, ICA, then an image, an audio clip and an
// encrypted chat from the LUNC side, each verified against its on-chain sha256. Stops what it started.
import type { Command } from 'commander';
import { join } from 'node:path';
import { commandContext } from './context.js';
import { devnetHome, packageRoot, spinner } from './shared.js';
import { UsageError } from '../core/errors.js';

interface DemoFlags {
  prompt: string;
  out: string;
  kinds: string;
  keep: boolean;
  executorPort: string;
  validators: string;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole path on a local devnet: prompt on the LUNC side → image from a validator')
    .option('--prompt <text>', 'image prompt', '126 danish homes, village, night')
    .option('--out <dir>', 'where outputs are written', 'demo-out')
    .option('--kinds <list>', 'jobs to run: image,audio,chat', 'image,audio,chat')
    .option('--keep', 'leave the devnet, relayer and executor running afterwards', false)
    .option('--executor-port <port>', "port the executor serves outputs on (validator k's executor: port + k - 1)", '8787')
    .option('--validators <n>', 'ML validators, each running its own executor: #1 with 1 device, #2 with 4 (CPU workers), others 1', '1')
    .action(async (flags: DemoFlags, c: Command) => {
      const ctx = commandContext(c);
      const kinds = flags.kinds.split(',').map((k) => k.trim());
      for (const k of kinds) if (!['image', 'audio', 'chat'].includes(k)) throw new UsageError(`--kinds: unknown job kind "${k}"`, { hint: 'use image, audio, chat' });
      if (!/^[1-8]$/.test(flags.validators)) throw new UsageError(`--validators must be 1 to 8, got "${flags.validators}"`);
      const validators = Number(flags.validators);
      const { mkdirSync } = await import('node:fs');
      mkdirSync(flags.out, { recursive: true });
      const { Stack } = await import('../demo/stack.js');
      const { runJourney } = await import('../demo/journey.js');
      type Stack = import('../demo/stack.js').Stack;
      const spin = await spinner(ctx, 'starting');
      const stack = new Stack({
        repoRoot: packageRoot,
        devnetHome: devnetHome(ctx),
        executorPort: Number(flags.executorPort),
        validators,
        logger: ctx.logger.child({ component: 'demo' }),
        stage: (t) => spin.update(t),
      });
      const results = [];
      let lunc: Awaited<ReturnType<InstanceType<typeof Stack>['luncDeliveries']>> | undefined;
      try {
        await stack.start();
        spin.succeed(`ready: ICA ${stack.icaAddress} on ${stack.connectionId}`);
        for (const kind of kinds) {
          const s = await spinner(ctx, `${kind}: starting`);
          const prompt = kind === 'image' ? flags.prompt : kind === 'audio' ? 'calm lo-fi beat over rain' : 'Tell me about Terra Classic validators.';
          const r = await runJourney(stack, {
            kind: kind as 'image' | 'audio' | 'chat',
            prompt,
            outDir: flags.out,
            encrypt: kind === 'chat',
            flags:
              kind === 'image' ? ['--size', '64x64', '--steps', '8', '--seed', '42'] : kind === 'audio' ? ['--duration', '2560', '--steps', '6', '--seed', '7'] : ['--max-tokens', '24', '--seed', '3'],
            stage: (t) => s.update(`${kind}: ${t}`),
          });
          const ranOn = validators > 1 ? stack.executorOf(r.executor) : undefined;
          const where = ranOn ? ` on validator #${ranOn.node} (${ranOn.moniker}, executor ${r.executor}, ${ranOn.devices} device${ranOn.devices > 1 ? 's' : ''})` : '';
          s.succeed(`${kind}: job ${r.jobId}${where} → ${r.file} (sha256 ${r.sha256.slice(0, 16)}…${r.decrypted ? ', decrypted' : ''}) in ${(r.timings.verifiedMs / 1000).toFixed(1)} s`);
          results.push({ ...r, feeUluna: r.fee.replace(/ibc\/[0-9A-F]{64}$/, 'uluna'), ...(ranOn ? { validator: ranOn } : {}) });
        }
        const f = await spinner(ctx, 'waiting for the burn and community shares to reach lunc-1 over ICS-20');
        lunc = await stack.luncDeliveries();
        f.succeed(`lunc-1: burn address holds ${lunc.burn.uluna}uluna, community address ${lunc.community.uluna}uluna`);
      } catch (e) {
        spin.fail('demo failed');
        ctx.logger.error('demo failed; service logs are in the devnet home', {
          home: devnetHome(ctx),
          relayerLog: join(devnetHome(ctx), 'relayer.log'),
          executorLog: join(devnetHome(ctx), 'executor.log'),
          ...(validators > 1 ? { validatorExecutorLogs: Array.from({ length: validators - 1 }, (_, i) => join(devnetHome(ctx), `executor-${i + 2}.log`)) } : {}),
        });
        throw e;
      } finally {
        if (!flags.keep) await stack.stop();
      }
      ctx.print({ connectionId: stack.connectionId, icaAddress: stack.icaAddress, jobs: results, lunc }, (r) =>
        [
          'demo complete (paid in LUNC only):',
          ...r.jobs.map(
            (j) =>
              `  ${j.kind.padEnd(5)} job ${j.jobId}: ${j.file} (${j.bytes} bytes, sha256 verified${j.decrypted ? ', decrypted' : ''}), fee ${j.feeUluna}` +
              (j.validator ? `, ran on validator #${j.validator.node} (${j.validator.devices} device${j.validator.devices > 1 ? 's' : ''})` : ''),
          ),
          ...(validators > 1
            ? [
                `  jobs per validator: ${Array.from({ length: validators }, (_, i) => i + 1)
                  .map((k) => `#${k} ${r.jobs.filter((j) => j.validator?.node === k).length}`)
                  .join(', ')}`,
              ]
            : []),
          `  back on lunc-1: burn ${r.lunc!.burn.address} ${r.lunc!.burn.uluna}uluna, community ${r.lunc!.community.address} ${r.lunc!.community.uluna}uluna`,
        ].join('\n'),
      );
    });
}
