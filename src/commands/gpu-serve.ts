// `gpu register` and `gpu serve` live in gpu-executor.ts; this keeps gpu.ts's import stable.
export { registerGpuExecutor as registerGpuServe } from './gpu-executor.js';
