// `lunc-ml ica ...`: offline ICS-27 payload tools.
import type { Command } from 'commander';
import { readStdin, readUserFile } from './io.js';
import { parseEncoding } from './flags.js';
import { commandContext } from './context.js';
import { UsageError } from '../core/errors.js';
import type { AnyMsg } from '../ica/msg-types.js';

export interface PacketDataResult {
  encoding: string;
  messages: string[];
  /** What `interchain-accounts host generate-packet-data` prints; also the IBC packet's data bytes. */
  packetData: unknown;
  /** Protobuf InterchainAccountPacketData (MsgSendTx.packet_data), hex. */
  protoHex: string;
}

async function readInputs(files: string[]): Promise<AnyMsg[]> {
  const { parseMsgJson } = await import('../ica/sdk-json.js');
  if (files.length === 0) {
    if (process.stdin.isTTY) throw new UsageError('give msg.json file(s), or pipe one into stdin', { code: 'bad_msg_json', hint: 'create one with `lunc-ml tx generate-image --generate-only`' });
    return parseMsgJson(await readStdin(), 'stdin');
  }
  return files.flatMap((f) => parseMsgJson(readUserFile(f, 'bad_msg_json'), f));
}

export function registerIca(program: Command): void {
  const ica = program.command('ica').description('interchain account (ICS-27) payload tools, offline');
  ica
    .command('packet-data')
    .description('print InterchainAccountPacketData for msg.json file(s), as `interchain-accounts host generate-packet-data` does')
    .argument('[msg.json...]', 'SDK-JSON message files (default: stdin)')
    .option('--memo <text>', 'packet memo', '')
    .option('--encoding <enc>', 'proto3 or proto3json (must match the channel)', 'proto3')
    .option('--format <fmt>', 'text view: json (the packet data) or hex (protobuf bytes)', 'json')
    .action(async (files: string[], flags: { memo: string; encoding: string; format: string }, c: Command) => {
      const ctx = commandContext(c);
      const { buildPacketData, packetDataJson, packetDataProto } = await import('../ica/packet.js');
      const { validateHostMsg } = await import('../ica/validate.js');
      const encoding = parseEncoding(flags.encoding);
      if (flags.format !== 'json' && flags.format !== 'hex') throw new UsageError(`--format must be json or hex, got "${flags.format}"`);
      const msgs = await readInputs(files);
      for (const m of msgs) validateHostMsg(m);
      const pd = buildPacketData(msgs, { memo: flags.memo, encoding });
      const result: PacketDataResult = {
        encoding,
        messages: msgs.map((m) => m.typeUrl),
        packetData: JSON.parse(packetDataJson(pd)),
        protoHex: Buffer.from(packetDataProto(pd)).toString('hex'),
      };
      ctx.print(result, (r) => (flags.format === 'hex' ? r.protoHex : packetDataJson(pd)));
    });
}
