// Scheduler factory: pick by name, or from the config's _class_name.
import { UsageError } from '../../core/errors.js';
import { DdimScheduler } from './ddim.js';
import { DpmSolverScheduler } from './dpm.js';
import { EulerScheduler } from './euler.js';
import { LcmScheduler } from './lcm.js';
import { PndmScheduler } from './pndm.js';
import { resolveSettings, SCHEDULER_CLASSES, SCHEDULER_NAMES, type Scheduler, type SchedulerConfig, type SchedulerName } from './common.js';

export * from './common.js';
export { EulerScheduler, DdimScheduler, LcmScheduler, DpmSolverScheduler, PndmScheduler };

const BY_CLASS: Record<string, SchedulerName> = Object.fromEntries(Object.entries(SCHEDULER_CLASSES).map(([name, cls]) => [cls, name as SchedulerName]));

/** The scheduler a config names; classes we do not implement (UniPC, LMS…) fall back to Euler. */
export function defaultSchedulerName(cfg: SchedulerConfig): { name: SchedulerName; substituted: boolean } {
  const n = cfg.className ? BY_CLASS[cfg.className] : undefined;
  return n ? { name: n, substituted: false } : { name: 'euler', substituted: cfg.className !== undefined };
}

export function parseSchedulerName(s: string): SchedulerName {
  const v = s.toLowerCase().replace(/-/g, '_');
  const alias: Record<string, SchedulerName> = {
    euler_ancestral: 'euler_a',
    eulera: 'euler_a',
    dpmpp2m: 'dpmpp_2m',
    'dpm++_2m': 'dpmpp_2m',
    dpmpp_2m_karras: 'dpmpp_2m',
    dpm_solver: 'dpmpp_2m',
    plms: 'pndm',
  };
  const name = (alias[v] ?? v) as SchedulerName;
  if (!SCHEDULER_NAMES.includes(name)) throw new UsageError(`unknown scheduler "${s}"`, { hint: `use one of ${SCHEDULER_NAMES.join(', ')}` });
  return name;
}

/** Scheduler `name` with the config's keys over that class's defaults; UsageError names a key it cannot honour. */
export function createScheduler(name: SchedulerName, cfg: SchedulerConfig): Scheduler {
  const s = resolveSettings(name, cfg);
  switch (name) {
    case 'euler':
      return new EulerScheduler(s, false);
    case 'euler_a':
      return new EulerScheduler(s, true);
    case 'ddim':
      return new DdimScheduler(s);
    case 'lcm':
      return new LcmScheduler(s);
    case 'dpmpp_2m':
      return new DpmSolverScheduler(s);
    case 'pndm':
      return new PndmScheduler(s);
  }
}
