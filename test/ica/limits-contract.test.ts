// The pre-flight checks refuse exactly what x/ml refuses: their limits are chain/x/ml/types/limits.json, which a Go
// test keeps equal to the chain's constants and default params.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { DECIMAL_RANGES, SCHEDULERS, STATELESS_LIMITS, decimalInRange, defaultLimits } from '../../src/ica/validate.js';

const chain = JSON.parse(readFileSync(join(repoRoot, 'chain', 'x', 'ml', 'types', 'limits.json'), 'utf8'));

describe('x/ml request limits contract', () => {
  it('default params, stateless limits, schedulers and decimal ranges equal limits.json', () => {
    const p = chain.default_params;
    expect(defaultLimits).toEqual({
      maxPromptBytes: p.max_prompt_bytes,
      maxSteps: p.max_steps,
      maxImageSize: p.max_image_size,
      maxNumImages: p.max_num_images,
      maxDurationMs: p.max_duration_ms,
      maxTokens: p.max_tokens,
      sealedEnvelopeBytes: chain.sealed_envelope_overhead,
    });
    expect(STATELESS_LIMITS).toEqual({ maxModelIdBytes: chain.max_model_id_bytes, maxStyleBytes: chain.max_style_bytes, x25519KeyBytes: chain.x25519_key_bytes, decimalPlaces: chain.decimal_places });
    expect([...SCHEDULERS]).toEqual(chain.schedulers);
    expect(DECIMAL_RANGES.guidanceScale).toEqual({ min: chain.guidance_scale.min, max: chain.guidance_scale.max });
    expect(DECIMAL_RANGES.temperature).toEqual({ min: chain.temperature.min, max: chain.temperature.max });
  });

  it('decimals are compared exactly, as LegacyDec does', () => {
    expect(decimalInRange('30', 0, 30)).toBe(true);
    expect(decimalInRange('30.000000000000000000', 0, 30)).toBe(true);
    expect(decimalInRange('30.000000000000000001', 0, 30)).toBe(false);
    expect(decimalInRange('30.0000000000000000001', 0, 30)).toBe(false); // 19 places: LegacyDec refuses it
    expect(decimalInRange('1e3', 0, 30)).toBe(false);
    expect(decimalInRange('7.5', 0, 30)).toBe(true);
  });
});
