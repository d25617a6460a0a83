import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { StateStore, writeFileAtomic } from '../../src/relayer/state.js';
import { ConfigError } from '../../src/core/errors.js';

const dir = () => mkdtempSync(join(tmpdir(), 'relayer-state-'));

describe('relayer state file', () => {
  it('round-trips heights and links and leaves no temp files', () => {
    const d = dir();
    const p = join(d, 'sub', 'state.json');
    const s = new StateStore(p);
    expect(s.height('lunc-1')).toBeUndefined();
    s.setHeight('lunc-1', 42);
    s.putLink({ chainId: 'lunc-1', clientId: '07-tendermint-0', connectionId: 'connection-0' }, { chainId: 'mlchain-1', clientId: '07-tendermint-1', connectionId: 'connection-0' });
    s.flush();
    const r = new StateStore(p);
    expect(r.height('lunc-1')).toBe(42);
    expect(r.findLink('mlchain-1', 'lunc-1')).toEqual({ a: { chainId: 'mlchain-1', clientId: '07-tendermint-1', connectionId: 'connection-0' }, b: { chainId: 'lunc-1', clientId: '07-tendermint-0', connectionId: 'connection-0' } });
    // Replacing a link keeps one record per chain pair.
    r.putLink({ chainId: 'mlchain-1', clientId: '07-tendermint-5' }, { chainId: 'lunc-1', clientId: '07-tendermint-6' });
    expect(r.get().links).toHaveLength(1);
    expect(readdirSync(join(d, 'sub'))).toEqual(['state.json']);
  });

  it('refuses a corrupt or foreign file with a hint', () => {
    const d = dir();
    const p = join(d, 'state.json');
    writeFileSync(p, '{"half');
    expect(() => new StateStore(p)).toThrow(ConfigError);
    writeFileSync(p, '{"version":2}');
    expect(() => new StateStore(p)).toThrow(/unknown format/);
  });

  it('a writer killed at any point leaves the old or the new file, never a torn one', () => {
    const d = dir();
    const p = join(d, 'state.json');
    writeFileAtomic(p, JSON.stringify({ version: 1, heights: { a: 0 }, links: [] }));
    // A child process rewrites the file in a tight loop with a large payload; SIGKILL it mid-way, many times.
    const script = `
      import { writeFileAtomic } from ${JSON.stringify(join(__dirname, '../../src/relayer/state.ts'))};
      let i = 0;
      for (;;) { i++; writeFileAtomic(${JSON.stringify(p)}, JSON.stringify({ version: 1, heights: { a: i }, links: [], pad: 'x'.repeat(200000) })); }
    `;
    const runner = join(d, 'writer.mts');
    writeFileSync(runner, script);
    for (let k = 0; k < 5; k++) {
      const r = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', runner], { timeout: 300 + k * 70, killSignal: 'SIGKILL' });
      if (r.error && !String(r.error).includes('ETIMEDOUT')) throw r.error;
      const j = JSON.parse(readFileSync(p, 'utf8'));
      expect(j.version).toBe(1);
      expect(typeof j.heights.a).toBe('number');
    }
    expect(existsSync(p)).toBe(true);
  });
});
