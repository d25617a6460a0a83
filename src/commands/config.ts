// `lunc-ml config ...`: show resolved settings and the documented schema.
import type { Command } from 'commander';
import { commandContext } from './context.js';
import { configSchema } from '../core/config.js';

export function registerConfig(program: Command): void {
  const cfg = program.command('config').description('show settings (precedence: flag > env > <home>/config.json > default)');
  cfg
    .command('show')
    .description('print every setting with where it came from')
    .action((_f: unknown, c: Command) => {
      const ctx = commandContext(c);
      const { sources, ...values } = ctx.config;
      const rows = Object.keys(configSchema).map((k) => ({ key: k, value: (values as Record<string, unknown>)[k] ?? null, source: sources[k as keyof typeof sources] }));
      ctx.print(rows, (r) => r.map((x) => `${x.key.padEnd(16)} ${String(x.value ?? '').padEnd(44)} (${x.source})`).join('\n'));
    });
  cfg
    .command('schema')
    .description('document every key: environment variable, default, meaning')
    .action((_f: unknown, c: Command) => {
      const ctx = commandContext(c);
      const rows = Object.entries(configSchema).map(([key, s]) => ({ key, env: s.env, type: s.kind, default: 'default' in s ? s.default : null, doc: s.doc }));
      ctx.print(rows, (r) => r.map((x) => `${x.key} (${x.type}, env ${x.env}${x.default !== null ? `, default ${x.default}` : ''})\n    ${x.doc}`).join('\n'));
    });
}
