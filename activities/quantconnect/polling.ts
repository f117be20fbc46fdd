/**
 * When to ask QuantConnect again about work it does in the background (a compile, a backtest).
 * `pollMs` (the `quantconnect.pollSeconds` setting) stays the longest wait; the waits are shorter
 * where an answer is likely sooner, so a result is seen soon after it exists, at the price of a
 * few more reads, never a storm of them: every shorter wait is at least an eighth of `pollMs`.
 */

/** The shortest wait, as a fraction of `pollMs`. */
const SHORTEST = 1 / 8;

/**
 * The wait before the `n`-th read (from 0) of something whose duration is unknown: an eighth of
 * `pollMs`, then doubling up to `pollMs`. A compile that takes a moment is seen after a moment;
 * one that takes long costs three reads more than polling at `pollMs` throughout.
 */
export function backoffWait(n: number, pollMs: number): number {
  return Math.min(pollMs, pollMs * SHORTEST * 2 ** Math.max(0, n));
}

/**
 * The waits between reads of a running backtest, from the progress it reports (0–1). While the
 * progress has not moved (queued, or one reading so far) the wait is `pollMs`. Once it moves, the
 * time left is extrapolated from the rate since the last reading before it moved, and the next
 * read is at the expected end when that is sooner than `pollMs` (never sooner than the shortest
 * wait). Each read that finds the backtest still running after its expected end doubles the
 * shortest wait, back to `pollMs`: a service that reports 100 % well before the result is stored
 * costs a few reads more, not a read every eighth of `pollMs`.
 */
export class BacktestPollClock {
  /** The last reading at the lowest progress seen: the progress moved after it. */
  private start: { atMs: number; progress: number } | null = null;
  private expectedEndMs: number | null = null;
  private overdue = 0;

  constructor(private readonly pollMs: number) {}

  /** The wait before the next read, given the progress the read at `atMs` reported (the backtest still running). */
  next(progress: number, atMs: number): number {
    const p = Number.isFinite(progress) ? Math.min(1, Math.max(0, progress)) : 0;
    if (this.expectedEndMs !== null && atMs >= this.expectedEndMs) this.overdue++;
    this.expectedEndMs = null;
    if (!this.start || p <= this.start.progress) {
      this.start = { atMs, progress: p };
      return this.pollMs;
    }
    const rate = (p - this.start.progress) / Math.max(1, atMs - this.start.atMs);
    const leftMs = (1 - p) / rate;
    this.expectedEndMs = atMs + leftMs;
    const shortest = backoffWait(this.overdue, this.pollMs);
    return Math.min(this.pollMs, Math.max(shortest, leftMs));
  }
}
