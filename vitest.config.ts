import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests, and end-to-end tests that share one devnet (started once per run by the
// global setup) and the tiny models. `npm test` runs both; `npx vitest run --project unit` only the first.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: ['test/**/*.e2e.test.ts', 'node_modules/**'],
          globalSetup: ['test/gpu/models.global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          globalSetup: ['test/gpu/models.global-setup.ts', 'test/e2e/devnet.global-setup.ts'],
          // One devnet for every e2e file: one fork runs the files one after another, so they never race on chain
          // state on any number of cores (fileParallelism is a root-only option that vitest ignores in a project).
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
