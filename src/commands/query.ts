// `lunc-ml query ...`: read-only lookups on the controller (LUNC side) and the ML chain.
import type { Command } from 'commander';
import { commandContext } from './context.js';
import { keyringSigner, profileFor } from './shared.js';
import { parseConnectionId, parseJobId, parseUint } from './flags.js';
import { UsageError, ConfigError } from '../core/errors.js';
import type { ChainProfile, ProfileSet } from '../core/profiles.js';

function hostOf(p: ProfileSet): ChainProfile {
  if (!p.host) throw new ConfigError(`the chain profile "${p.name}" names no ML chain`, { hint: 'use --chain local (devnet) or a profile file with chains.ml' });
  return p.host;
}

async function withQuery<T>(profile: ChainProfile, f: (q: import('@cosmjs/stargate').QueryClient) => Promise<T>): Promise<T> {
  const { withQueryClient } = await import('../core/chain-client.js');
  return withQueryClient(profile, (q) => f(q));
}

export function registerQuery(program: Command): void {
  const query = program.command('query').alias('q').description('query the LUNC-side chain and the ML chain');

  query
    .command('ica-address')
    .description('interchain account address of an owner on a controller connection')
    .requiredOption('--owner <address>', 'owner account on the controller chain')
    .option('--connection-id <id>', "controller connection (default: the profile's, else connection-0)")
    .action(async (flags: { owner: string; connectionId?: string }, c: Command) => {
      const ctx = commandContext(c);
      const profile = profileFor(ctx);
      const connectionId = parseConnectionId(flags.connectionId ?? profile.connectionId ?? 'connection-0');
      const { queryIcaAddress } = await import('../ica/controller.js');
      const address = await withQuery(profile.controller, (q) => queryIcaAddress(q, flags.owner, connectionId));
      if (!address) throw new UsageError(`${flags.owner} has no interchain account on ${connectionId}`, { code: 'no_interchain_account', hint: 'register one with `lunc-ml tx register`' });
      ctx.print({ owner: flags.owner, connectionId, address }, (r) => r.address);
    });

  query
    .command('tx')
    .description('a transaction by hash, with its events')
    .argument('<hash>')
    .option('--ml', 'look on the ML chain instead of the controller', false)
    .action(async (hash: string, flags: { ml: boolean }, c: Command) => {
      const ctx = commandContext(c);
      if (!/^[0-9A-Fa-f]{64}$/.test(hash)) throw new UsageError(`"${hash}" is not a 64-hex-digit transaction hash`);
      const profile = profileFor(ctx);
      const chain = flags.ml ? hostOf(profile) : profile.controller;
      const { StargateClient } = await import('@cosmjs/stargate');
      const client = await StargateClient.connect(chain.rpc).catch(async (e) => {
        const { RpcUnreachableError } = await import('../core/errors.js');
        throw new RpcUnreachableError(chain.rpc, { chainId: chain.chainId, cause: e });
      });
      try {
        const tx = await client.getTx(hash.toUpperCase());
        if (!tx) throw new UsageError(`no transaction ${hash} on ${chain.chainId}`, { code: 'tx_not_found', hint: 'it may not be included yet, or it is on the other chain (--ml)' });
        const result = { chainId: chain.chainId, hash: tx.hash, height: tx.height, code: tx.code, gasUsed: Number(tx.gasUsed), gasWanted: Number(tx.gasWanted), events: tx.events };
        ctx.print(result, (r) =>
          [
            `${r.hash} at height ${r.height} on ${r.chainId}: code ${r.code}, gas ${r.gasUsed}/${r.gasWanted}`,
            ...r.events.map((e) => `  ${e.type} ${e.attributes.map((a) => `${a.key}=${a.value}`).join(' ')}`),
          ].join('\n'),
        );
      } finally {
        client.disconnect();
      }
    });

  query
    .command('job')
    .description("an ML job's whole story: requester, IBC packet, executor, status, result")
    .argument('<id>')
    .option('--download <file>', 'fetch the output from its URI, verify its sha256 and write it here (a folder of image-<i>.png for a multi-image job)')
    .option('--decrypt', 'open a sealed output with the reply key kept for this job', false)
    .option('--max-download-mb <n>', 'refuse outputs larger than this many MiB (the executor chooses the URI)', '256')
    .action(async (id: string, flags: { download?: string; decrypt: boolean; maxDownloadMb: string }, c: Command) => {
      const ctx = commandContext(c);
      const profile = profileFor(ctx);
      const host = hostOf(profile);
      const { getJobStory } = await import('../jobs/story.js');
      const { renderJobStory } = await import('./render.js');
      const maxBytes = parseUint('--max-download-mb', flags.maxDownloadMb, 1 << 20, 1) * 1024 * 1024;
      const story = await getJobStory(host, parseJobId(id), { download: flags.download, decrypt: flags.decrypt ? { home: ctx.config.home } : undefined, limits: { maxBytes } });
      ctx.print(story, renderJobStory);
    });

  query
    .command('jobs')
    .description('list ML jobs, filtered')
    .option('--requester <address>')
    .option('--executor <address>')
    .option('--status <status>', 'pending | completed | failed | expired')
    .action(async (flags: { requester?: string; executor?: string; status?: string }, c: Command) => {
      const ctx = commandContext(c);
      const host = hostOf(profileFor(ctx));
      const { JobStatus, jobStatusToJSON, jobKindToJSON } = await import('../proto/lunc/ml/v1/types.js');
      const statuses: Record<string, number> = {
        pending: JobStatus.JOB_STATUS_PENDING,
        completed: JobStatus.JOB_STATUS_COMPLETED,
        failed: JobStatus.JOB_STATUS_FAILED,
        expired: JobStatus.JOB_STATUS_EXPIRED,
      };
      if (flags.status && !Object.hasOwn(statuses, flags.status)) throw new UsageError(`--status must be one of ${Object.keys(statuses).join(', ')}`);
      const { queryJobs } = await import('../ica/ml-query.js');
      const jobs = await withQuery(host, (q) => queryJobs(q, { requester: flags.requester, executor: flags.executor, status: flags.status ? statuses[flags.status] : undefined }));
      const rows = jobs.map((j) => ({
        id: j.id.toString(),
        kind: jobKindToJSON(j.kind),
        status: jobStatusToJSON(j.status),
        requester: j.requester,
        executor: j.executor,
        outputSha256: j.result?.outputSha256 ?? '',
      }));
      ctx.print(rows, (r) => (r.length ? r.map((j) => `${j.id}\t${j.kind}\t${j.status}\t${j.executor}`).join('\n') : 'no jobs'));
    });

  query
    .command('balance')
    .description("your LUNC on the LUNC chain, and your interchain account's LUNC on the ML chain")
    .option('--owner <address>', 'owner account on the LUNC chain')
    .option('--from <key>', 'or a keyring key')
    .option('--connection-id <id>', "controller connection (default: the profile's, else connection-0)")
    .action(async (flags: { owner?: string; from?: string; connectionId?: string }, c: Command) => {
      const ctx = commandContext(c);
      const profile = profileFor(ctx);
      if (!flags.owner && !flags.from) throw new UsageError('pass --owner <address> or --from <key>', { code: 'missing_owner' });
      const owner = flags.owner ?? (await keyringSigner(ctx, flags.from!).address(profile.controller.prefix));
      const connectionId = parseConnectionId(flags.connectionId ?? profile.connectionId ?? 'connection-0');
      const { queryIcaAddress } = await import('../ica/controller.js');
      const ica = profile.host ? await withQuery(profile.controller, (q) => queryIcaAddress(q, owner, connectionId)) : undefined;
      const { queryBalances } = await import('../jobs/funds.js');
      const b = await queryBalances(profile, owner, ica);
      ctx.print(b, (r) =>
        [
          `${r.owner.address} on ${r.owner.chainId}: ${r.owner.amount} ${r.owner.denom}`,
          r.interchainAccount
            ? `interchain account ${r.interchainAccount.address} on ${r.interchainAccount.chainId}: ${r.interchainAccount.amount} ${r.interchainAccount.denom}`
            : 'no interchain account yet (`lunc-ml tx register`)',
        ].join('\n'),
      );
    });

  query
    .command('flows')
    .description('x/ml fee accounting: escrowed, paid to executors, accumulated, in flight and delivered to LUNC burn/community addresses')
    .action(async (_f: unknown, c: Command) => {
      const ctx = commandContext(c);
      const host = hostOf(profileFor(ctx));
      const { queryFlows } = await import('../ica/ml-query.js');
      const { QueryFlowsResponse } = await import('../proto/lunc/ml/v1/query.js');
      const r = QueryFlowsResponse.toJSON(await withQuery(host, (q) => queryFlows(q))) as Record<string, any>;
      ctx.print(r, (x) => {
        const lines = (x.denoms ?? []).map(
          (d: Record<string, string>) =>
            `${d.denom}${d.denom === x.luncDenom ? ' (LUNC)' : ''}: escrowed ${d.escrowed ?? 0}, paid ${d.paidToExecutors ?? 0}, accumulated burn ${d.accumulatedBurn ?? 0} / community ${d.accumulatedCommunity ?? 0}, in flight ${d.inFlightBurn ?? 0} / ${d.inFlightCommunity ?? 0}, delivered ${d.deliveredBurn ?? 0} / ${d.deliveredCommunity ?? 0}`,
        );
        for (const d of x.delivered ?? []) lines.push(`delivered to ${d.receiver}: ${d.amount.amount}${d.amount.denom} (${d.share})`);
        lines.push(x.invariantBroken ? `INVARIANT BROKEN: ${x.invariantBroken}` : 'module balance = escrowed + accumulated: ok');
        return lines.join('\n');
      });
    });

  query
    .command('executors')
    .description('registered GPU executors on the ML chain')
    .action(async (_f: unknown, c: Command) => {
      const ctx = commandContext(c);
      const host = hostOf(profileFor(ctx));
      const { queryExecutors } = await import('../ica/ml-query.js');
      const list = await withQuery(host, (q) => queryExecutors(q));
      const rows = list.map((e) => ({
        operator: e.operator,
        executor: e.executor,
        models: e.models,
        devices: e.devices,
        active: e.active,
        jobsAssigned: e.jobsAssigned.toString(),
        jobsCompleted: e.jobsCompleted.toString(),
        encryptionPubkey: Buffer.from(e.encryptionPubkey).toString('base64'),
      }));
      ctx.print(rows, (r) =>
        r.length ? r.map((e) => `${e.operator}\t${e.executor}\t${e.active ? 'active' : 'retired'}\t${e.models.join(',')}\tdevices=${e.devices}`).join('\n') : 'no executors registered',
      );
    });
}
