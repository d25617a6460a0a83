// The test setup itself: e2e files share one devnet, so they must run one at a time whatever the core count.
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.js';

describe('vitest configuration', () => {
  it('runs the e2e project in a single fork, so its files never run in parallel', () => {
    const projects = (config as { test: { projects: { test: Record<string, any> }[] } }).test.projects;
    const e2e = projects.find((p) => p.test.name === 'e2e')!.test;
    expect(e2e.pool).toBe('forks');
    expect(e2e.poolOptions?.forks?.singleFork).toBe(true);
    expect(e2e).not.toHaveProperty('fileParallelism');
  });
});
