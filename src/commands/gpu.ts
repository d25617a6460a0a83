import type { Command } from 'commander';

export function registerGpu(program: Command): void {
  program.command('gpu').description('(not built yet)');
}
