// Bad input is refused before anything is signed, with a message that says what to fix and a non-zero exit.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binPath, cli, repoRoot } from '../helpers/cli.js';
import { lastJson } from '../helpers/last-json.js';

const ica = 'mlc19rc780mqg264mv46mkf6n6yzgmx386x2awkxqrrsl8cgf8dcq8xqyd72v8';
const base = ['tx', 'generate-image', '--generate-only', '--creator', ica, '--max-fee', '1000umlc'];

describe('tx generate-image refuses bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['missing prompt', [], /--prompt is required/],
    ['empty prompt', ['--prompt', '   '], /prompt is empty/],
    ['oversized prompt', ['--prompt', 'x'.repeat(2049)], /2049 bytes; the limit is 2048/],
    ['size not a multiple of 8', ['--prompt', 'a', '--size', '500x512'], /multiple of 8/],
    ['malformed size', ['--prompt', 'a', '--size', 'big'], /not WIDTHxHEIGHT/],
    ['steps out of range', ['--prompt', 'a', '--steps', '0'], /steps must be an integer from 1 to 150/],
    ['unknown scheduler', ['--prompt', 'a', '--scheduler', 'pndm2'], /unknown scheduler "pndm2"/],
    ['bad seed', ['--prompt', 'a', '--seed', '-1'], /--seed/],
    ['bad fee', ['--prompt', 'a', '--max-fee', 'lots'], /not an amount with a denom/],
    ['fee in exponent notation (would read as 1 of "e3umlc")', ['--prompt', 'a', '--max-fee', '1e3umlc'], /exponent notation/],
    ["fee beyond the SDK's 256-bit amounts", ['--prompt', 'a', '--max-fee', `${'9'.repeat(80)}umlc`], /larger than the chain can represent/],
    ['fee denom the SDK refuses', ['--prompt', 'a', '--max-fee', '5u'], /not an amount with a denom|not a valid denom/],
    ['model id longer than x/ml allows', ['--prompt', 'a', '--model', 'm'.repeat(100)], /model id is 100 bytes; the chain allows 64/],
    ['guidance a hair over 30 (LegacyDec refuses 19 decimals)', ['--prompt', 'a', '--guidance', '30.0000000000000000001'], /guidance_scale must be a decimal from 0 to 30/],
    ['guidance over 30', ['--prompt', 'a', '--guidance', '30.000000000000000001'], /guidance_scale must be a decimal from 0 to 30/],
  ];
  for (const [name, args, re] of cases) {
    it(`${name}: exit 2 and a message`, async () => {
      const r = await cli([...base, ...args]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stdout).toBe('');
    });
  }

  it('wrong creator prefix names the expected one', async () => {
    const r = await cli([
      'tx',
      'generate-image',
      '--generate-only',
      '--creator',
      'terra1gjsq8pwqvkc9wnt2pmnhrqf6ldkqu849seyh9s',
      '--prompt',
      'a',
      '--max-fee',
      '1umlc',
      '--chain',
      join(fakeProfile(), 'profile.json'),
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/prefix "terra", expected "mlc"/);
  });

  it('errors come as JSON with -o json', async () => {
    const r = await cli([...base, '--prompt', 'a', '--size', '9x9', '-o', 'json']);
    expect(r.exitCode).toBe(2);
    const e = lastJson(r.stderr);
    expect(e.error).toBe('bad_size');
    expect(e.hint).toMatch(/512x512/);
  });
});

describe('msg.json readers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lunc-ml-msg-'));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  it('not JSON', async () => {
    const r = await cli(['ica', 'packet-data', write('a.json', '{"@type": ')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/a.json is not valid JSON/);
  });
  it('unknown @type', async () => {
    const r = await cli(['ica', 'packet-data', write('b.json', '{"@type":"/cosmos.gov.v1.MsgVote"}')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unsupported message type "\/cosmos.gov.v1.MsgVote"/);
  });
  it('unknown field', async () => {
    const r = await cli(['ica', 'packet-data', write('c.json', JSON.stringify({ '@type': '/lunc.ml.v1.MsgGenerateImage', creator: ica, promt: 'typo' }))]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown field "promt"/);
  });
  it('snake_case field names (SDK CLI, amino JSON) read the same as camelCase (protojson)', async () => {
    const from = 'mlc1gjsq8pwqvkc9wnt2pmnhrqf6ldkqu849ttu5u2';
    const snake = write('snake.json', JSON.stringify({ '@type': '/cosmos.bank.v1beta1.MsgSend', from_address: ica, to_address: from, amount: [{ denom: 'umlc', amount: '5' }] }));
    const camel = write('camel.json', JSON.stringify({ '@type': '/cosmos.bank.v1beta1.MsgSend', fromAddress: ica, toAddress: from, amount: [{ denom: 'umlc', amount: '5' }] }));
    const a = await cli(['ica', 'packet-data', snake, '--format', 'hex']);
    const b = await cli(['ica', 'packet-data', camel, '--format', 'hex']);
    expect(a.stderr).toBe('');
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain(Buffer.from(ica).toString('hex'));
  });
  it('the same field in both spellings is refused by name', async () => {
    const r = await cli([
      'ica',
      'packet-data',
      write('dup.json', JSON.stringify({ '@type': '/lunc.ml.v1.MsgGenerateImage', creator: ica, max_fee: { denom: 'umlc', amount: '1' }, maxFee: { denom: 'umlc', amount: '2' } })),
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/field "maxFee" is given twice/);
  });
  it('invalid UTF-8 in a msg.json is refused, not replaced by U+FFFD', async () => {
    const p = join(dir, 'latin1.json');
    writeFileSync(p, Buffer.concat([Buffer.from(`{"@type":"/lunc.ml.v1.MsgGenerateImage","creator":"${ica}","prompt":"caf`), Buffer.from([0xe9]), Buffer.from('"}')]));
    const r = await cli(['ica', 'packet-data', p]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/latin1.json is not valid UTF-8/);
  });
  it('stdin from a slow producer is read to the end (no EAGAIN)', async () => {
    const msg = readFileSync(join(repoRoot, 'fixtures', 'ica', 'generate-image.msg.json'), 'utf8');
    const r = await execa('bash', ['-c', `(sleep 1; cat) | node ${binPath} ica packet-data --format hex`], { input: msg, reject: false, cwd: repoRoot });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]+$/);
  });
  it('missing file', async () => {
    const r = await cli(['tx', 'submit', join(dir, 'nope.json'), '--from', 'x']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*nope.json: ENOENT/);
  });
});

function fakeProfile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lunc-ml-prof-'));
  writeFileSync(
    join(dir, 'profile.json'),
    JSON.stringify({
      chains: {
        lunc: { chainId: 'lunc-1', rpc: 'http://127.0.0.1:1', prefix: 'terra', denom: 'uluna', coinType: 330 },
        ml: { chainId: 'mlchain-1', rpc: 'http://127.0.0.1:2', prefix: 'mlc', denom: 'umlc', coinType: 118 },
      },
    }),
  );
  return dir;
}

describe('packet timeout', () => {
  it('refuses timeouts cosmjs-types cannot encode, before signing', async () => {
    const r = await cli(['tx', 'submit', 'fixtures/ica/generate-image.msg.json', '--from', 'x', '--timeout', '3s', '--chain', 'columbus-5']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/2.15 s to 4.29 s/);
  });
});

describe('flags that mean something else', () => {
  it("tx register --version (terrad's spelling) is refused, not answered with the CLI version", async () => {
    const r = await cli(['tx', 'register', '--version', '{"version":"ics27-1"}', '--from', 'x', '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--ica-version/);
    expect(r.stdout).toBe('');
  });
  it('lunc-ml --version still prints the version', async () => {
    const r = await cli(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it('gpu serve off the devnet requires --public-url', async () => {
    const r = await cli(['gpu', 'serve', '--executor-key', 'x', '--chain', 'columbus-5']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--public-url is required/);
  });
  it('--download without --wait is refused', async () => {
    const r = await cli(['tx', 'generate-image', '--prompt', 'x', '--from', 'x', '--download', 'o.png']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--download needs --wait/);
  });
});
