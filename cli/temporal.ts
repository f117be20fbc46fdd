import { Client, Connection, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { profileOfIdentity, type WorkerProfile } from '../domain/worker-identity';
import { NoWorkerError, TemporalUnavailableError } from './errors';

/** Connects a client, turning "nothing listens there" into a message that says what to do. */
export async function connectClient(address: string, namespace: string): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: '3 seconds' });
  } catch (err) {
    throw new TemporalUnavailableError(address, firstLine((err as Error).message));
  }
  return new Client({ connection, namespace });
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 120);
}

/** The identities of the workers polling a workflow queue (Temporal's task-queue description lists recent pollers). */
export async function workflowPollers(client: Client, taskQueue: string): Promise<string[]> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (res.pollers ?? []).map((p) => p.identity ?? '');
}

/** Whether any worker polls the queue. */
export async function hasPollers(client: Client, taskQueue: string): Promise<boolean> {
  return (await workflowPollers(client, taskQueue)).length > 0;
}

/**
 * Waits briefly for a worker (one may be starting beside us), then explains how to start one.
 * Returns the profiles the polling workers say they run (a worker in the sandbox profile simulates every service).
 */
export async function requireWorker(client: Client, taskQueue: string, waitMs = 10_000): Promise<WorkerProfile[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const pollers = await workflowPollers(client, taskQueue);
    if (pollers.length) return [...new Set(pollers.map(profileOfIdentity).filter((p): p is WorkerProfile => p !== null))];
    if (Date.now() >= deadline) throw new NoWorkerError(taskQueue);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The innermost failure's message and type, for one-line reports of a failed run. */
export function describeFailure(err: unknown): { type?: string; message: string } {
  let cur: unknown = err instanceof WorkflowFailedError || err instanceof WorkflowUpdateFailedError ? err.cause : err;
  while (cur instanceof TemporalFailure && cur.cause) cur = cur.cause;
  if (cur instanceof ApplicationFailure) return { type: cur.type ?? undefined, message: cur.message };
  return { message: (cur as Error)?.message ?? String(cur) };
}
