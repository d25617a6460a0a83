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
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole path on a local devnet: prompt on the LUNC side → image from a validator')
    .option('--prompt <text>', 'image prompt', '126 danish homes, village, night')
    .option('--out <dir>', 'where outputs are written', 'demo-out')
    .option('--kinds <list>', 'jobs to run: image,audio,chat', 'image,audio,chat')
    .option('--keep', 'leave the devnet, relayer and executor running afterwards', false)
    .option('--executor-port <port>', 'port the executor serves outputs on', '8787')
    .action(async (flags: DemoFlags, c: Command) => {
      const ctx = commandContext(c);
      const kinds = flags.kinds.split(',').map((k) => k.trim());
      for (const k of kinds) if (!['image', 'audio', 'chat'].includes(k)) throw new UsageError(`--kinds: unknown job kind "${k}"`, { hint: 'use image, audio, chat' });
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
          s.succeed(`${kind}: job ${r.jobId} → ${r.file} (sha256 ${r.sha256.slice(0, 16)}…${r.decrypted ? ', decrypted' : ''}) in ${(r.timings.verifiedMs / 1000).toFixed(1)} s`);
          results.push({ ...r, feeUluna: r.fee.replace(/ibc\/[0-9A-F]{64}$/, 'uluna') });
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
        });
        throw e;
      } finally {
        if (!flags.keep) await stack.stop();
      }
      ctx.print({ connectionId: stack.connectionId, icaAddress: stack.icaAddress, jobs: results, lunc }, (r) =>
        [
          'demo complete (paid in LUNC only):',
          ...r.jobs.map((j) => `  ${j.kind.padEnd(5)} job ${j.jobId}: ${j.file} (${j.bytes} bytes, sha256 verified${j.decrypted ? ', decrypted' : ''}), fee ${j.feeUluna}`),
          `  back on lunc-1: burn ${r.lunc!.burn.address} ${r.lunc!.burn.uluna}uluna, community ${r.lunc!.community.address} ${r.lunc!.community.uluna}uluna`,
        ].join('\n'),
      );
    });
}
