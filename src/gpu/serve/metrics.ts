// Executor metrics in Prometheus text format: jobs done/failed, queue depth, step and job time, per device.
import { Counter, Gauge, Histogram, renderMetrics } from '../../core/metrics.js';
import type { ServiceMetrics } from './service.js';

export class ExecutorMetrics implements ServiceMetrics {
  readonly jobsDone = new Counter({ name: 'lunc_ml_executor_jobs_done_total', help: 'Jobs whose output was produced, by kind and device.', type: 'counter' });
  readonly jobsFailed = new Counter({ name: 'lunc_ml_executor_jobs_failed_total', help: 'Job runs that threw, by kind.', type: 'counter' });
  readonly results = new Counter({ name: 'lunc_ml_executor_results_submitted_total', help: 'MsgSubmitResult included on chain.', type: 'counter' });
  readonly queue = new Gauge({ name: 'lunc_ml_executor_queue_depth', help: 'Assigned jobs waiting for a free device.', type: 'gauge' });
  readonly jobSeconds = new Histogram(
    { name: 'lunc_ml_executor_job_seconds', help: 'Wall time of a job from start to stored output, by kind and device.', type: 'histogram' },
    [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
  );
  readonly stepSeconds = new Histogram(
    { name: 'lunc_ml_executor_step_seconds', help: 'Wall time of one denoising step (or generated token), by job kind.', type: 'histogram' },
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
  );

  jobDone(kind: string, device: string, seconds: number): void {
    this.jobsDone.inc({ kind, device });
    this.jobSeconds.observe({ kind, device }, seconds);
  }
  jobFailed(kind: string): void {
    this.jobsFailed.inc({ kind });
  }
  queueDepth(n: number): void {
    this.queue.set({}, n);
  }
  resultsSubmitted(n: number): void {
    this.results.inc({}, n);
  }
  step(kind: string, seconds: number): void {
    this.stepSeconds.observe({ kind }, seconds);
  }

  render(): string {
    return renderMetrics([this.jobsDone, this.jobsFailed, this.results, this.queue, this.jobSeconds, this.stepSeconds]);
  }
}
