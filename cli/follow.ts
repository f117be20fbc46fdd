import type { WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';

/**
 * Queries a running workflow every `intervalMs` and hands each status to `onStatus`, until the workflow's result
 * settles; returns that result (or its failure). A query that fails is passed over: between executions
 * (continue-as-new), between tasks or just after the close a query may fail, and the next tick or the result decides.
 * `query` is the workflow's status query, or a function that reads the status (from several queries, say).
 */
export async function followWorkflow<S, R>(
  handle: WorkflowHandle,
  query: QueryDefinition<S, []> | (() => Promise<S>),
  onStatus: (status: S) => void,
  intervalMs: number,
): Promise<R> {
  let finished = false;
  const result = handle.result().finally(() => (finished = true)) as Promise<R>;
  const read = typeof query === 'function' ? query : () => handle.query(query);
  while (!finished) {
    try {
      onStatus(await read());
    } catch {
      // the next tick shows the new state; the result decides the outcome
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, intervalMs))]);
  }
  return result;
}
