import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';

describe('config precedence: flag > env > file > default', () => {
  it('takes the flag over everything', () => {
    const c = resolveConfig({ chain: 'local', home: '/h' }, { LUNC_ML_CHAIN: 'local-ml' }, { chain: 'x.json' });
    expect(c.chain).toBe('local');
    expect(c.sources.chain).toBe('flag');
  });
  it('takes env over the file', () => {
    const c = resolveConfig({ home: '/h' }, { LUNC_ML_CHAIN: 'local-ml' }, { chain: 'x.json' });
    expect(c.chain).toBe('local-ml');
    expect(c.sources.chain).toBe('env');
  });
  it('takes the file over the default', () => {
    const c = resolveConfig({ home: '/h' }, {}, { chain: 'x.json', gasAdjustment: 2 });
    expect(c.chain).toBe('x.json');
    expect(c.gasAdjustment).toBe(2);
    expect(c.sources.gasAdjustment).toBe('file');
  });
  it('falls back to defaults', () => {
    const c = resolveConfig({ home: '/h' }, {}, {});
    expect(c.chain).toBe('columbus-5');
    expect(c.gasAdjustment).toBe(1.4);
    expect(c.sources.node).toBe('unset');
  });
  it('coerces env numbers and refuses garbage', () => {
    expect(resolveConfig({ home: '/h' }, { LUNC_ML_GAS_ADJUSTMENT: '1.8' }, {}).gasAdjustment).toBe(1.8);
    expect(() => resolveConfig({ home: '/h' }, { LUNC_ML_GAS_ADJUSTMENT: 'lots' }, {})).toThrow(/must be a number/);
  });
});
