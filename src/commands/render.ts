// Text views of the library's results; `-o json` prints the same objects as they are.
import type { JobStory } from '../jobs/story.js';
import type { JobSubmission } from '../jobs/types.js';

export function renderReport(r: JobSubmission): string {
  const lines = [`tx ${r.txHash} included at height ${r.height} on ${r.chainId}`, `  fee ${r.fee}, gas ${r.gasUsed}/${r.gasWanted}`];
  for (const p of r.packets) lines.push(`  IBC packet ${p.sourcePort}/${p.sourceChannel} sequence ${p.sequence}`);
  if (r.channel) lines.push(`  channel opening: ${r.channel.portId}/${r.channel.channelId} (a relayer completes the handshake)`);
  if (r.icaAddress) lines.push(`  interchain account: ${r.icaAddress}`);
  if (r.jobId) lines.push(`  job id: ${r.jobId}`);
  return lines.join('\n');
}

export function renderJobStory(s: JobStory): string {
  const lines = [
    `job ${s.id} (${s.kind}, model ${s.model}): ${s.status}`,
    `  requester ${s.requester}`,
    `  executor  ${s.executor}${s.reassignments ? ` (reassigned ${s.reassignments}×)` : ''}`,
    `  created at ${s.createdHeight}, deadline ${s.deadlineHeight}, fee ${s.fee}`,
  ];
  if (s.origin) {
    lines.push(`  created by tx ${s.origin.txHash} at ${s.origin.height}`);
    if (s.origin.packet) lines.push(`  via IBC packet ${s.origin.packet.sourcePort}/${s.origin.packet.sourceChannel} #${s.origin.packet.sequence} → ${s.origin.packet.destChannel}`);
  }
  if (s.result) {
    if (s.result.error) lines.push(`  error: ${s.result.error}`);
    else lines.push(`  output ${s.result.mime} sha256 ${s.result.outputSha256}${s.result.sealed ? ' (sealed)' : ''}`, `  at ${s.result.outputUri}`);
  }
  if (s.download?.files) {
    lines.push(`  downloaded ${s.download.files.length} images to ${s.download.path} (each sha256 verified against the on-chain manifest${s.download.decrypted ? ', decrypted' : ''})`);
    for (const f of s.download.files) lines.push(`    ${f.path} (${f.bytes} bytes, seed ${f.seed ?? '?'})`);
  } else if (s.download) lines.push(`  downloaded ${s.download.bytes} bytes to ${s.download.path} (sha256 verified${s.download.decrypted ? ', decrypted' : ''})`);
  return lines.join('\n');
}
