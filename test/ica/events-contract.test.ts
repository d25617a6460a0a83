// Chain and worker share one contract: the event names the CLI and executor listen for are the ones x/ml emits.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { ML_ATTRS, ML_EVENTS } from '../../src/ica/ml-events.js';

const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

describe('x/ml event contract', () => {
  const goSide = JSON.parse(readFileSync(join(repoRoot, 'chain', 'x', 'ml', 'types', 'events.json'), 'utf8')) as { events: Record<string, string>; attributes: Record<string, string> };
  it('event types match chain/x/ml/types/events.json', () => {
    expect(Object.fromEntries(Object.entries(goSide.events).map(([k, v]) => [camel(k), v]))).toEqual(ML_EVENTS);
  });
  it('attribute keys match', () => {
    expect(Object.fromEntries(Object.entries(goSide.attributes).map(([k, v]) => [camel(k), v]))).toEqual(ML_ATTRS);
  });
  it('events.go declares the same strings as events.json', () => {
    const go = readFileSync(join(repoRoot, 'chain', 'x', 'ml', 'types', 'events.go'), 'utf8');
    for (const v of [...Object.values(goSide.events), ...Object.values(goSide.attributes)]) expect(go).toContain(`"${v}"`);
  });
});
