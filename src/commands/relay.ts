import type { Command } from 'commander';

export function registerRelay(program: Command): void {
  program.command('relay').description('(not built yet)');
}
