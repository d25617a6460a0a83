import type { Command } from 'commander';

export function registerTx(program: Command): void {
  program.command('tx').description('(not built yet)');
}
