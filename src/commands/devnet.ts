import type { Command } from 'commander';

export function registerDevnet(program: Command): void {
  program.command('devnet').description('(not built yet)');
}
