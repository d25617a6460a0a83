import type { Command } from 'commander';

export function registerIca(program: Command): void {
  program.command('ica').description('(not built yet)');
}
