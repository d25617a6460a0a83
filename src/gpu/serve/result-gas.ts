// Gas of results txs, learnt from the executor's own simulations and included txs, so that a burst's txs need not
// each be simulated. The relayer's remembered gas (relayer/gas.ts) keys on a transaction's exact shape; a results tx
// carries however many results are ready, so its shape rarely repeats, and its gas is sized from its count instead.
//
// A results tx of n results uses about b + m·n gas: b for the ante handler (signature, fee), m per MsgSubmitResult.
// With b ≥ 0 the gas per result falls as n grows, so the gas per result of a tx with k ≤ n results, times n, is never
// below what n results use (per-result differences aside, which the caller's gas multiplier covers). A tx smaller than
// every recorded one has no such bound and is simulated.

/** Batch sizes remembered; the oldest is dropped first. */
const SIZES = 16;

export class ResultGas {
  /** Batch size → the largest gas per result recorded for it recently. */
  private readonly perResult = new Map<number, number>();

  /** Records what a tx of `n` results used (simulated, or from its block). */
  record(n: number, gasUsed: number): void {
    if (!(n > 0) || !(gasUsed > 0)) return;
    const per = gasUsed / n;
    // Moved to the end: the Map's order is the order of use, and the oldest size goes first.
    const old = this.perResult.get(n);
    this.perResult.delete(n);
    this.perResult.set(n, Math.max(per, old ?? 0));
    if (this.perResult.size > SIZES) this.perResult.delete(this.perResult.keys().next().value!);
  }

  /** Gas a tx of `n` results uses, at most (before the gas multiplier); undefined when it must be simulated. */
  estimate(n: number): number | undefined {
    let best: number | undefined;
    for (const k of this.perResult.keys()) if (k <= n && (best === undefined || k > best)) best = k;
    return best === undefined ? undefined : Math.ceil(this.perResult.get(best)! * n);
  }

  /** Gas per result of the size recorded last: near enough to size the fee a simulation is run with. */
  get lastPerResult(): number | undefined {
    let last: number | undefined;
    for (const v of this.perResult.values()) last = v;
    return last;
  }

  /** A tx ran out of gas: nothing recorded is trusted, the next ones are simulated. */
  forget(): void {
    this.perResult.clear();
  }
}
