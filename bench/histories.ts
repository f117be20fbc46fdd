import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/** One workflow execution's history, with what the figures read from it. */
export interface Execution {
  workflowId: string;
  runId: string;
  events: HistoryEvent[];
  /** The encoded history's size, as the server stores it. */
  bytes: number;
  startedMs: number;
  /** When it closed (completed, failed, continued as new…). */
  closedMs: number;
}

export interface ActivityTiming {
  name: string;
  /** An activity, or a local activity (run inside a workflow task, read from its marker). */
  kind: 'activity' | 'local';
  scheduledMs: number;
  /** The attempt that ended it (1 unless an earlier attempt failed or timed out). */
  attempt: number;
  startedMs: number;
  closedMs: number;
  outcome: 'completed' | 'failed' | 'timedOut' | 'canceled';
}

const eventMs = (e: HistoryEvent) => tsToMs(e.eventTime);

export async function fetchExecution(client: Client, workflowId: string, runId?: string): Promise<Execution> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events = history.events ?? [];
  const first = events[0];
  const last = events[events.length - 1];
  if (!first || !last) throw new Error(`Workflow ${workflowId} has an empty history`);
  const resolvedRunId = runId ?? first.workflowExecutionStartedEventAttributes?.originalExecutionRunId ?? '';
  return {
    workflowId,
    runId: resolvedRunId,
    events,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    startedMs: eventMs(first),
    closedMs: eventMs(last),
  };
}

/** Every execution of a chain of continue-as-new runs, from the first, in order. */
export async function fetchChain(client: Client, workflowId: string, firstRunId: string): Promise<Execution[]> {
  const chain: Execution[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const exec = await fetchExecution(client, workflowId, runId);
    chain.push(exec);
    const last = exec.events[exec.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return chain;
}

/** The child workflows an execution started (their id and run id). */
export function childrenOf(exec: Execution): Array<{ workflowId: string; runId: string }> {
  return exec.events
    .filter((e) => e.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED)
    .map((e) => e.childWorkflowExecutionStartedEventAttributes!.workflowExecution!)
    .map((w) => ({ workflowId: w.workflowId!, runId: w.runId! }));
}

/** A workflow execution and every child under it, recursively. */
export async function fetchTree(client: Client, workflowId: string, runId?: string): Promise<Execution[]> {
  const root = await fetchExecution(client, workflowId, runId);
  const out = [root];
  for (const child of childrenOf(root)) out.push(...(await fetchTree(client, child.workflowId, child.runId)));
  return out;
}

/** Each activity the execution ran to an end: when its last attempt started and when it ended. */
export function activityTimings(exec: Execution): ActivityTiming[] {
  const scheduled = new Map<string, { name: string; ms: number }>();
  const started = new Map<string, { ms: number; attempt: number }>();
  const out: ActivityTiming[] = [];
  for (const e of exec.events) {
    const id = String(e.eventId);
    switch (e.eventType) {
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        scheduled.set(id, { name: e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?', ms: eventMs(e) });
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        started.set(String(e.activityTaskStartedEventAttributes?.scheduledEventId), { ms: eventMs(e), attempt: e.activityTaskStartedEventAttributes?.attempt ?? 1 });
        break;
      default: {
        const ended =
          e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
        if (!ended) break;
        const key = String(ended.scheduledEventId);
        const outcome = e.activityTaskCompletedEventAttributes ? 'completed' : e.activityTaskFailedEventAttributes ? 'failed' : e.activityTaskTimedOutEventAttributes ? 'timedOut' : 'canceled';
        // a timed-out attempt that never started has no start: it spent no time inside the activity
        const start = started.get(key) ?? { ms: eventMs(e), attempt: 1 };
        const sched = scheduled.get(key) ?? { name: '?', ms: start.ms };
        out.push({ name: sched.name, kind: 'activity', scheduledMs: sched.ms, attempt: start.attempt, startedMs: start.ms, closedMs: eventMs(e), outcome });
      }
    }
  }
  return out;
}

/** The name Temporal's core SDK gives the marker that records a local activity's result. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

type MarkerTime = { seconds?: number | string; nanos?: number } | string | null | undefined;

function markerTimeMs(t: MarkerTime): number | null {
  if (t === null || t === undefined) return null;
  if (typeof t === 'string') return Date.parse(t);
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

/**
 * Each local activity the execution recorded, from its marker. A local activity runs inside a
 * workflow task, so it has no started or completed event: the marker's data holds its completion
 * time in workflow time, which is the start of the workflow task that ran it plus its run time
 * (as the worker measured it, from handing it to the activity code to the result). The timing
 * spans that run time, from the task's start. A local activity that outlived its workflow task
 * (the worker extends the task for it) would be measured from the last task's start, and so short.
 */
export function localActivityTimings(exec: Execution): ActivityTiming[] {
  const taskStartedMs = new Map<string, number>();
  const completedTask = new Map<string, string>();
  const out: ActivityTiming[] = [];
  for (const e of exec.events) {
    const id = String(e.eventId);
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) taskStartedMs.set(id, eventMs(e));
    const completed = e.workflowTaskCompletedEventAttributes;
    if (completed) completedTask.set(id, String(completed.startedEventId));
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== LOCAL_ACTIVITY_MARKER) continue;
    const raw = marker.details?.data?.payloads?.[0]?.data;
    if (!raw) throw new Error(`Local activity marker ${id} of ${exec.workflowId} has no data`);
    const data = JSON.parse(Buffer.from(raw).toString('utf8')) as { activity_type?: string; attempt?: number; complete_time?: MarkerTime };
    const closedMs = markerTimeMs(data.complete_time);
    const startedMs = taskStartedMs.get(completedTask.get(String(marker.workflowTaskCompletedEventId)) ?? '');
    if (closedMs === null || startedMs === undefined || closedMs < startedMs) {
      throw new Error(`Local activity marker ${id} of ${exec.workflowId} gives no run time (completion ${closedMs}, task start ${startedMs})`);
    }
    out.push({ name: data.activity_type ?? '?', kind: 'local', scheduledMs: startedMs, attempt: data.attempt ?? 1, startedMs, closedMs, outcome: marker.failure ? 'failed' : 'completed' });
  }
  return out;
}

/** Every step the execution ran to an end: its activities and its local activities. */
export function stepTimings(exec: Execution): ActivityTiming[] {
  return [...activityTimings(exec), ...localActivityTimings(exec)];
}

/** How many activities of the given name the execution scheduled. */
export function scheduledCount(exec: Execution, name: string): number {
  return exec.events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === name).length;
}

/** End times of every completed activity of the executions, sorted. */
export function activityCompletions(execs: Execution[]): number[] {
  return execs
    .flatMap((x) => x.events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED).map(eventMs))
    .sort((a, b) => a - b);
}

/**
 * How long each workflow task a worker took ran: from its start (a worker polled it) to its
 * completion, failure or timeout, in milliseconds. What a workflow task timeout must leave room for.
 */
export function workflowTaskDurations(exec: Execution): number[] {
  const started = new Map<string, number>();
  const out: number[] = [];
  for (const e of exec.events) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) started.set(String(e.eventId), eventMs(e));
    const end = e.workflowTaskCompletedEventAttributes ?? e.workflowTaskFailedEventAttributes ?? e.workflowTaskTimedOutEventAttributes;
    const at = end?.startedEventId != null ? started.get(String(end.startedEventId)) : undefined;
    if (at !== undefined) out.push(eventMs(e) - at);
  }
  return out;
}

/** What an execution cost the server in workflow tasks, and the signals it sent and received. */
export interface TaskCounts {
  workflowTasks: number;
  signalsSent: number;
  signalsReceived: number;
}

export function taskCounts(exec: Execution): TaskCounts {
  const count = (type: number) => exec.events.filter((e) => e.eventType === type).length;
  return {
    workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    signalsSent: count(EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED),
    signalsReceived: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
  };
}
