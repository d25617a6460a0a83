// The relayer's metrics (Hermes-like names) and its /metrics server.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, renderMetrics } from '../core/metrics.js';

export { Counter, Gauge, Histogram };

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
    return renderMetrics(this.all());
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
