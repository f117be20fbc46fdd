import { Context } from '@temporalio/activity';

/** The running activity's cancellation signal; undefined when called outside an activity (benchmarks). */
export function cancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

/** Heartbeats when running inside an activity; a no-op otherwise. */
export function heartbeat(details?: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // not inside an activity
  }
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
 * Runs `work` while heartbeating at a third of the activity's heartbeat timeout, so a long call
 * (an LLM answer, a download) still proves the worker is alive and a dead one is noticed quickly.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>): Promise<T> {
  let timeoutMs: number | undefined;
  try {
    timeoutMs = Context.current().info.heartbeatTimeoutMs;
  } catch {
    return work();
  }
  if (!timeoutMs) return work();
  const timer = setInterval(() => heartbeat(), Math.max(200, Math.floor(timeoutMs / 3)));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Logs a warning through the activity's logger (with its workflow and activity ids); silent outside one. */
export function warn(message: string): void {
  try {
    Context.current().log.warn(message);
  } catch {
    // not inside an activity (a direct call from a test or a script)
  }
}
