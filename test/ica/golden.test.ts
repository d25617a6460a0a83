// The CLI's msg.json and packet data must match the checked-in golden bytes exactly; chain/x/ml decodes the
// same hex with the Go types (golden_test.go), so TS and Go agree on the wire format.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, repoRoot } from '../helpers/cli.js';
import { decodePacketData } from '../../src/ica/packet.js';
import { InterchainAccountPacketData, CosmosTx } from 'cosmjs-types/ibc/applications/interchain_accounts/v1/packet';
import { MsgGenerateImage } from '../../src/proto/lunc/ml/v1/tx.js';

const dir = join(repoRoot, 'fixtures', 'ica');
const golden = (f: string) => readFileSync(join(dir, f), 'utf8');
const ica = 'mlc19rc780mqg264mv46mkf6n6yzgmx386x2awkxqrrsl8cgf8dcq8xqyd72v8';

describe('golden ICA payloads', () => {
  it('tx generate-image --generate-only writes the golden msg.json', async () => {
    const r = await cli([
      'tx',
      'generate-image',
      '--generate-only',
      '--creator',
      ica,
      '--prompt',
      '126 danish homes, village, night',
      '--negative',
      'blurry',
      '--model',
      'sd-2.1',
      '--steps',
      '20',
      '--size',
      '512x512',
      '--seed',
      '42',
      '--scheduler',
      'euler',
      '--guidance',
      '7.5',
      '--max-fee',
      '1000umlc',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout + '\n').toBe(golden('generate-image.msg.json'));
  });

  it('tx generate-audio and chat write their golden msg.json', async () => {
    const a = await cli([
      'tx',
      'generate-audio',
      '--generate-only',
      '--creator',
      ica,
      '--prompt',
      'calm lo-fi beat',
      '--style',
      'jazz',
      '--duration',
      '5000',
      '--steps',
      '20',
      '--seed',
      '7',
      '--model',
      'riffusion-v1',
      '--max-fee',
      '1000umlc',
    ]);
    expect(a.exitCode).toBe(0);
    expect(a.stdout + '\n').toBe(golden('generate-audio.msg.json'));
    const c = await cli([
      'tx',
      'chat',
      '--generate-only',
      '--creator',
      ica,
      '--prompt',
      'What is Terra Classic?',
      '--max-tokens',
      '64',
      '--temperature',
      '0.7',
      '--seed',
      '3',
      '--model',
      'llama-3-8b',
      '--max-fee',
      '1000umlc',
    ]);
    expect(c.exitCode).toBe(0);
    expect(c.stdout + '\n').toBe(golden('chat.msg.json'));
  });

  for (const enc of ['proto3', 'proto3json']) {
    it(`ica packet-data --encoding ${enc} prints the golden packet data`, async () => {
      const r = await cli(['ica', 'packet-data', join(dir, 'generate-image.msg.json'), '--encoding', enc, '--memo', 'lunc-ml golden']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout + '\n').toBe(golden(`generate-image.packet-data.${enc}.json`));
    });
  }

  it('ica packet-data --format hex prints the golden protobuf bytes', async () => {
    const r = await cli(['ica', 'packet-data', join(dir, 'generate-image.msg.json'), '--memo', 'lunc-ml golden', '--format', 'hex']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout + '\n').toBe(golden('generate-image.packet-data.proto3.hex'));
  });

  it('several msg.json files pack into one CosmosTx in order', async () => {
    const r = await cli(['ica', 'packet-data', ...['generate-image', 'generate-audio', 'chat'].map((f) => join(dir, `${f}.msg.json`)), '--encoding', 'proto3']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout + '\n').toBe(golden('all-jobs.packet-data.proto3.json'));
  });

  it('the golden hex decodes back to the expected fields', () => {
    const expected = JSON.parse(golden('generate-image.expected.json'));
    const pd = InterchainAccountPacketData.decode(Buffer.from(golden('generate-image.packet-data.proto3.hex').trim(), 'hex'));
    expect(pd.type).toBe(1);
    expect(pd.memo).toBe(expected.memo);
    const tx = CosmosTx.decode(pd.data);
    expect(tx.messages).toHaveLength(1);
    expect(tx.messages[0].typeUrl).toBe(expected.type_url);
    const m = MsgGenerateImage.decode(tx.messages[0].value);
    expect({
      creator: m.creator,
      prompt: m.prompt,
      negative_prompt: m.negativePrompt,
      model: m.model,
      width: m.width,
      height: m.height,
      steps: m.steps,
      guidance_scale: m.guidanceScale,
      scheduler: m.scheduler,
      seed: m.seed.toString(),
      num_images: m.numImages,
      max_fee: m.maxFee,
    }).toEqual({
      creator: expected.creator,
      prompt: expected.prompt,
      negative_prompt: expected.negative_prompt,
      model: expected.model,
      width: expected.width,
      height: expected.height,
      steps: expected.steps,
      guidance_scale: expected.guidance_scale,
      scheduler: expected.scheduler,
      seed: expected.seed,
      num_images: expected.num_images,
      max_fee: expected.max_fee,
    });
  });

  it('proto3json packet data round-trips to the same message', () => {
    const { msgs, memo } = decodePacketData(golden('generate-image.packet-data.proto3json.json'), 'proto3json');
    const { msgs: msgs2 } = decodePacketData(golden('generate-image.packet-data.proto3.json'), 'proto3');
    expect(memo).toBe('lunc-ml golden');
    expect(msgs).toEqual(msgs2);
  });
});
