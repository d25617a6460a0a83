import type { Command } from 'commander';

export function registerConfig(program: Command): void {
  program.command('config').description('(not built yet)');
}
