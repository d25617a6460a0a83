// Prometheus text exposition (format 0.0.4), hand-written: counters, gauges and a histogram, with labels.
import { createServer, type Server } from 'node:http';

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

interface Family {
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

export class RelayerMetrics {
  readonly packetsRelayed = new Counter({ name: 'packets_relayed_total', help: 'MsgRecvPacket delivered, by source and destination chain and channel.', type: 'counter' });
  readonly acksRelayed = new Counter({ name: 'acks_relayed_total', help: 'MsgAcknowledgement delivered.', type: 'counter' });
  readonly timeoutsRelayed = new Counter({ name: 'timeouts_relayed_total', help: 'MsgTimeout delivered.', type: 'counter' });
  readonly txErrors = new Counter({ name: 'tx_errors_total', help: 'Transactions that failed to simulate, broadcast or execute.', type: 'counter' });
  readonly clientUpdates = new Counter({ name: 'client_updates_total', help: 'MsgUpdateClient submitted.', type: 'counter' });
  readonly submitToReceive = new Histogram(
    { name: 'submit_to_receive_seconds', help: 'Seconds from the send_packet block time to the MsgRecvPacket inclusion on the destination.', type: 'histogram' },
    [0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120, 300],
  );
  readonly walletBalance = new Gauge({ name: 'wallet_balance', help: 'Relayer account balance in the gas denom.', type: 'gauge' });
  readonly backlogSize = new Gauge({ name: 'backlog_size', help: 'Packets sent and not yet received (or acked) per channel.', type: 'gauge' });

  private all(): Array<Counter | Gauge | Histogram> {
    return [this.packetsRelayed, this.acksRelayed, this.timeoutsRelayed, this.txErrors, this.clientUpdates, this.submitToReceive, this.walletBalance, this.backlogSize];
  }

  /** The /metrics body. */
  render(): string {
    const lines: string[] = [];
    for (const m of this.all()) {
      lines.push(`# HELP ${m.family.name} ${m.family.help}`);
      lines.push(`# TYPE ${m.family.name} ${m.family.type}`);
      lines.push(...m.render());
    }
    return lines.join('\n') + '\n';
  }

  /** Serves /metrics; resolves with the server once it listens (port 0 picks a free one). */
  serve(host: string, port: number): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(this.render());
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found: try /metrics\n');
      }
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }
}
