import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
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
    expect(r.findLink('mlchain-1', 'lunc-1')).toEqual({
      a: { chainId: 'mlchain-1', clientId: '07-tendermint-1', connectionId: 'connection-0' },
      b: { chainId: 'lunc-1', clientId: '07-tendermint-0', connectionId: 'connection-0' },
    });
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

  it('a writer killed at any point leaves the old or the new file, never a torn one', async () => {
    const d = dir();
    const p = join(d, 'state.json');
    writeFileAtomic(p, JSON.stringify({ version: 1, heights: { a: 0 }, links: [] }));
    // A child process rewrites the file in a tight loop with a large payload; SIGKILL it mid-way, several times.
    const entry = join(d, 'writer.ts');
    writeFileSync(
      entry,
      `import { writeFileAtomic } from ${JSON.stringify(join(__dirname, '../../src/relayer/state.ts'))};
       let i = 0;
       for (;;) { i++; writeFileAtomic(${JSON.stringify(p)}, JSON.stringify({ version: 1, heights: { a: i }, links: [], pad: 'x'.repeat(300000) })); }`,
    );
    const out = join(d, 'writer.mjs');
    const { buildSync } = await import('esbuild');
    buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'silent' });
    let lastSeen = 0;
    for (let k = 0; k < 4; k++) {
      const child = spawn(process.execPath, [out], { stdio: 'ignore' });
      // Wait until it has written at least once more, then kill it at a random instant.
      for (let t = 0; t < 200; t++) {
        await new Promise((r) => setTimeout(r, 10));
        try {
          if (JSON.parse(readFileSync(p, 'utf8')).heights.a > 0) break;
        } catch {
          /* checked below */
        }
      }
      await new Promise((r) => setTimeout(r, Math.random() * 40));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const j = JSON.parse(readFileSync(p, 'utf8'));
      expect(j.version).toBe(1);
      expect(j.heights.a).toBeGreaterThan(0);
      lastSeen = j.heights.a;
    }
    expect(lastSeen).toBeGreaterThan(0);
    expect(existsSync(p)).toBe(true);
  });
});
