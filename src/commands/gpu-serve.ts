// Placeholder: the lead replaces this with `gpu serve` / `gpu register`.
import type { Command } from 'commander';

export function registerGpuServe(_gpu: Command): void {}
