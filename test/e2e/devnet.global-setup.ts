// Vitest global setup of the e2e project: builds lunc-mld once (reused across runs while the Go sources are
// unchanged) and starts a fresh devnet on its own home and ports (.lunc-ml/test-devnet, RPC 30657/30757), so
// tests never touch a demo devnet on the default ports. Tears it down afterwards unless
// LUNC_ML_KEEP_TEST_DEVNET=1. Tests find it through inject('devnetProfile') or LUNC_ML_DEVNET_HOME.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { ensureBinary, up, down, testPorts } from '../../src/devnet/index.js';
import type { DevnetLogger } from '../../src/devnet/types.js';

declare module 'vitest' {
  export interface ProvidedContext {
    devnetProfile: string;
    devnetHome: string;
  }
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEST_DEVNET_HOME = join(repoRoot, '.lunc-ml', 'test-devnet');

const logger: DevnetLogger = {
  debug: () => {},
  info: (msg, fields) => process.stderr.write(`[devnet] ${msg}${fields ? ' ' + JSON.stringify(fields) : ''}\n`),
  warn: (msg, fields) => process.stderr.write(`[devnet] warn: ${msg}${fields ? ' ' + JSON.stringify(fields) : ''}\n`),
  error: (msg, fields) => process.stderr.write(`[devnet] error: ${msg}${fields ? ' ' + JSON.stringify(fields) : ''}\n`),
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const home = process.env.LUNC_ML_TEST_DEVNET_HOME || TEST_DEVNET_HOME;
  await down({ home, logger }); // a test devnet kept from an earlier run (LUNC_ML_KEEP_TEST_DEVNET=1)
  // LUNC_ML_TEST_DEVNET_BINARY: a prebuilt lunc-mld (e.g. from a committed tree while chain/ is being edited).
  const { binary } = process.env.LUNC_ML_TEST_DEVNET_BINARY ? { binary: process.env.LUNC_ML_TEST_DEVNET_BINARY } : await ensureBinary({ repoRoot, logger });
  const r = await up({ repoRoot, home, binary, ports: testPorts, reset: true, jobTimeoutBlocks: 40, logger });
  // Workers inherit the environment: the relayer/ICA helpers read LUNC_ML_DEVNET_HOME.
  process.env.LUNC_ML_DEVNET_HOME = home;
  project.provide('devnetProfile', r.profilePath);
  project.provide('devnetHome', home);
  return async () => {
    if (process.env.LUNC_ML_KEEP_TEST_DEVNET === '1') return;
    await down({ home, logger });
  };
}
