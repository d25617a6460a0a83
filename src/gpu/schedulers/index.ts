// Scheduler factory: pick by name, or from the config's _class_name.
import { UsageError } from '../../core/errors.js';
import { DdimScheduler } from './ddim.js';
import { EulerScheduler } from './euler.js';
import { LcmScheduler } from './lcm.js';
import { SCHEDULER_NAMES, type Scheduler, type SchedulerConfig, type SchedulerName } from './common.js';

export * from './common.js';
export { EulerScheduler, DdimScheduler, LcmScheduler };

const BY_CLASS: Record<string, SchedulerName> = {
  EulerDiscreteScheduler: 'euler',
  EulerAncestralDiscreteScheduler: 'euler_a',
  DDIMScheduler: 'ddim',
  LCMScheduler: 'lcm',
};

/** The scheduler a config names; classes we do not implement (PNDM, DPM-Solver…) fall back to Euler. */
export function defaultSchedulerName(cfg: SchedulerConfig): { name: SchedulerName; substituted: boolean } {
  const n = cfg.className ? BY_CLASS[cfg.className] : undefined;
  return n ? { name: n, substituted: false } : { name: 'euler', substituted: cfg.className !== undefined };
}

export function parseSchedulerName(s: string): SchedulerName {
  const v = s.toLowerCase().replace(/-/g, '_');
  const alias: Record<string, SchedulerName> = { euler_ancestral: 'euler_a', eulera: 'euler_a' };
  const name = (alias[v] ?? v) as SchedulerName;
  if (!SCHEDULER_NAMES.includes(name)) throw new UsageError(`unknown scheduler "${s}"`, { hint: `use one of ${SCHEDULER_NAMES.join(', ')}` });
  return name;
}

export function createScheduler(name: SchedulerName, cfg: SchedulerConfig): Scheduler {
  switch (name) {
    case 'euler':
      return new EulerScheduler(cfg, false);
    case 'euler_a':
      return new EulerScheduler(cfg, true);
    case 'ddim':
      return new DdimScheduler(cfg);
    case 'lcm':
      return new LcmScheduler(cfg);
  }
}
