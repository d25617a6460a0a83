// Prometheus text exposition (format 0.0.4), hand-written: counters, gauges and histograms with labels.
// Shared by the relayer and the executor.

type Labels = Record<string, string>;

function labelKey(l: Labels): string {
  const keys = Object.keys(l).sort();
  if (keys.length === 0) return '';
  return '{' + keys.map((k) => `${k}="${escapeLabel(l[k])}"`).join(',') + '}';
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function fmt(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (Number.isNaN(n)) return 'NaN';
  return String(n);
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
}

class Series<T> {
  readonly values = new Map<string, { labels: Labels; v: T }>();
  at(labels: Labels, init: () => T): T {
    const k = labelKey(labels);
    let e = this.values.get(k);
    if (!e) {
      e = { labels, v: init() };
      this.values.set(k, e);
    }
    return e.v;
  }
}

export class Counter {
  private s = new Series<{ n: number }>();
  constructor(readonly family: Family) {}
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error('a counter only goes up');
    this.s.at(labels, () => ({ n: 0 })).n += by;
  }
  get(labels: Labels = {}): number {
    return this.s.values.get(labelKey(labels))?.v.n ?? 0;
  }
  render(): string[] {
    const out = [];
    for (const { labels, v } of this.s.values.values()) out.push(`${this.family.name}${labelKey(labels)} ${fmt(v.n)}`);
    return out;
  }
}

export class Gauge {
  private s = new Series<{ n: number }>();
  constructor(readonly family: Family) {}
  set(labels: Labels, v: number): void {
    this.s.at(labels, () => ({ n: 0 })).n = v;
  }
  get(labels: Labels = {}): number | undefined {
    return this.s.values.get(labelKey(labels))?.v.n;
  }
  render(): string[] {
    const out = [];
    for (const { labels, v } of this.s.values.values()) out.push(`${this.family.name}${labelKey(labels)} ${fmt(v.n)}`);
    return out;
  }
}

export class Histogram {
  private s = new Series<{ counts: number[]; sum: number; count: number }>();
  constructor(
    readonly family: Family,
    readonly buckets: number[],
  ) {}
  observe(labels: Labels, v: number): void {
    const e = this.s.at(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((b, i) => {
      if (v <= b) e.counts[i]++;
    });
    e.sum += v;
    e.count++;
  }
  render(): string[] {
    const out: string[] = [];
    for (const { labels, v } of this.s.values.values()) {
      this.buckets.forEach((b, i) => out.push(`${this.family.name}_bucket${labelKey({ ...labels, le: fmt(b) })} ${v.counts[i]}`));
      out.push(`${this.family.name}_bucket${labelKey({ ...labels, le: '+Inf' })} ${v.count}`);
      out.push(`${this.family.name}_sum${labelKey(labels)} ${fmt(v.sum)}`);
      out.push(`${this.family.name}_count${labelKey(labels)} ${v.count}`);
    }
    return out;
  }
}

export type Metric = Counter | Gauge | Histogram;

/** The /metrics body for these metrics, with HELP and TYPE lines. */
export function renderMetrics(metrics: Metric[]): string {
  const lines: string[] = [];
  for (const m of metrics) lines.push(`# HELP ${m.family.name} ${m.family.help}`, `# TYPE ${m.family.name} ${m.family.type}`, ...m.render());
  return lines.join('\n') + '\n';
}
