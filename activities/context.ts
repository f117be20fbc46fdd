import { Context } from '@temporalio/activity';

/** The running activity's cancellation signal; undefined when called outside an activity (benchmarks). */
export function cancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

/**
 * The details of each running activity's latest heartbeat. A keep-alive heartbeat repeats them,
 * since every heartbeat replaces the details a retried attempt will read (a backtest id, say).
 */
const lastDetails = new WeakMap<Context, unknown>();
/** Activities that already have a keep-alive timer. */
const keptAlive = new WeakSet<Context>();

function detailsOf(ctx: Context): unknown {
  // until this attempt says otherwise, the previous attempt's details stay the ones worth keeping
  return lastDetails.has(ctx) ? lastDetails.get(ctx) : ctx.info.heartbeatDetails;
}

/** Heartbeats when running inside an activity; a no-op otherwise. Without details, the latest ones are repeated. */
export function heartbeat(details?: unknown): void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return; // not inside an activity
  }
  if (details !== undefined) lastDetails.set(ctx, details);
  ctx.heartbeat(detailsOf(ctx));
}

/** The details of the last heartbeat of a previous attempt of this activity, if any. */
export function previousHeartbeat<T>(): T | undefined {
  try {
    return Context.current().info.heartbeatDetails as T | undefined;
  } catch {
    return undefined;
  }
}

/** The activity's Temporal identity, for deterministic names (workflow id + activity id). */
export function activityIdentity(): { workflowId: string; activityId: string; attempt: number } | undefined {
  try {
    const info = Context.current().info;
    return { workflowId: info.workflowExecution?.workflowId ?? '', activityId: info.activityId, attempt: info.attempt };
  } catch {
    return undefined;
  }
}

/**
 * How often a running activity heartbeats: about once a second, and at least four times per
 * heartbeat timeout, so one late timer never makes a live worker look dead. (The SDK sends at most
 * one heartbeat per 0.8 × timeout to the server; the rest only refresh the details.)
 */
export function keepAliveIntervalMs(heartbeatTimeoutMs: number): number {
  return Math.max(50, Math.min(1000, Math.floor(heartbeatTimeoutMs / 4)));
}

/**
 * Runs `work` for the activity `ctx` while heartbeating, so a long call (an LLM answer, a
 * download, a PDF's text) still proves the worker is alive and a dead worker's activity is
 * retried after the heartbeat timeout, seconds, not after its start-to-close timeout. A no-op for
 * activities without a heartbeat timeout, and for nested calls.
 */
export async function keepAlive<T>(ctx: Context, work: () => Promise<T>): Promise<T> {
  const timeoutMs = ctx.info.heartbeatTimeoutMs;
  if (!timeoutMs || keptAlive.has(ctx)) return work();
  keptAlive.add(ctx);
  const timer = setInterval(() => ctx.heartbeat(detailsOf(ctx)), keepAliveIntervalMs(timeoutMs));
  try {
    return await work();
  } finally {
    clearInterval(timer);
    keptAlive.delete(ctx);
  }
}

/** {@link keepAlive} for the current activity; runs `work` as is outside an activity. */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return work();
  }
  return keepAlive(ctx, work);
}
