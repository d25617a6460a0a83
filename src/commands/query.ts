import type { Command } from 'commander';

export function registerQuery(program: Command): void {
  program.command('query').description('(not built yet)');
}
