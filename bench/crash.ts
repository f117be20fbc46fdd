import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { temporal } from '@temporalio/proto';
import { homeLayout } from '../domain/paths';
import { seededRandom } from '../domain/population';
import { DEFAULT_RUN_SETTINGS, WORKFLOW_TASK_TIMEOUT } from '../domain/run-settings';
import type { LlmRequestRecord } from '../sandbox/state';
import { evolutionRun } from '../workflows';
import { evolutionInput } from './baseline';
import { activityCompletions, activityTimings, fetchChain } from './histories';
import { benchHome, sandboxConfig } from './homes';
import { progress, startWorkerProcess, stopWorkerProcess, uniqueName, type Lab, type WorkerProcess } from './lab';
import { round, summarize, type Summary } from './stats';

export const CRASH_PARAMETERS = {
  runs: 1,
  /** BENCH_CRASH_KILLS and BENCH_CRASH_GENERATIONS set a smaller run for a quick check (recorded here). */
  kills: Number(process.env.BENCH_CRASH_KILLS ?? 5),
  /** Kill moments are drawn from this seed (set BENCH_SEED to vary them). */
  seed: Number(process.env.BENCH_SEED ?? 20_240_601),
  /** Kill moments are uniform over this share of an uncrashed run's wall time, measured first. */
  killWindow: [0.05, 0.9] as const,
  /** A kill waits until the run resumed from the previous one (an activity completed), and this long more. */
  minUptimeMs: 500,
  generations: Number(process.env.BENCH_CRASH_GENERATIONS ?? 6),
  variants: 8,
  concurrency: 4,
  sandbox: { llmLatencyMs: 200, compileLatencyMs: 0, backtestLatencyMs: 1000, mistakeRate: 0 },
  worker: { process: '`node bin/run.js worker` (sandbox profile)', llmConcurrency: 8, quantconnectConcurrency: 4, quantconnectPollSeconds: 0.05 },
  /** The defaults `evolve start` passes: in-flight heartbeating activities are retried after this. */
  heartbeatTimeoutSeconds: DEFAULT_RUN_SETTINGS.heartbeatTimeoutSeconds,
};

export interface KillRecord {
  /** Seconds since the run started. */
  atSeconds: number;
  /** Restart (spawn of the new worker) → it polls. */
  workerStartSeconds: number;
  /** Restart → the next activity completed anywhere in the run. */
  resumeSeconds: number | null;
  /** The phases of the new worker's start as it logged them (ms): `loaded` and `total` since its process started, the others their own durations (`connect` and `store` overlap). */
  startPhasesMs: Record<string, number> | null;
  /** Running activities of the killed process the new one handed back at its start (retried at once, not after their heartbeat timeout). */
  handedBack: number | null;
  /**
   * The activity that completed next: a retried attempt (attempt > 1) was in flight at the kill; one
   * scheduled after the restart waited for a workflow task first. Seconds count from the restart.
   */
  nextActivity: { name: string; attempt: number; scheduledSeconds: number; startedSeconds: number } | null;
}

export interface CrashFigures {
  duplicateBacktests: number;
  /** LLM requests beyond the calls recorded: the calls in flight at a kill are lost with the worker and paid again. */
  repeatedLlmCalls: number;
  /**
   * LLM requests the sandbox received after a call with the same prompt had been answered and recorded
   * in the learning database: answers paid twice although they were kept. Must be 0.
   */
  repeatedCompletedLlmCalls: number;
  resumeSeconds: Summary;
  /** Context: how long a fresh worker process takes to poll (most of resumeSeconds when nothing waits on a timeout). */
  workerStartSeconds: Summary;
  /** Median over the restarts of each phase the workers logged at their start (ms; see KillRecord.startPhasesMs). */
  workerStartPhasesMs: Record<string, number>;
  kills: KillRecord[];
  referenceWallSeconds: number;
  /** Backtests of an already backtested program in the undisturbed run: what duplicateBacktests is compared with. */
  referenceDuplicateBacktests: number;
  crashedWallSeconds: number;
  extraWallSeconds: number;
  backtestsCreated: number;
  uniqueProgramsBacktested: number;
  llmCallsAnswered: number;
  llmCallsRecorded: number;
  /**
   * Workflow tasks a kill left to time out: started on the dead worker (its workflow task timeout, 10 s
   * by default), or waiting on its sticky queue (3 s). Nothing hands those back; they are what a restart
   * costs beyond the new worker's start when no activity was in flight.
   */
  workflowTaskTimeouts: { startToClose: number; scheduleToStart: number };
  /** Activities whose completing attempt was not the first (the work a kill interrupted), and how long they waited for it. */
  retriedActivities: Array<{ name: string; attempt: number; waitedSeconds: number }>;
}

const config = () => {
  const w = CRASH_PARAMETERS.worker;
  return {
    llm: { concurrency: w.llmConcurrency },
    quantconnect: { concurrency: w.quantconnectConcurrency, pollSeconds: w.quantconnectPollSeconds },
    // the worker's start lines (its phase timings, the activities it handed back) are info lines
    logging: { level: 'info' },
  };
};

function input(name: string) {
  const p = CRASH_PARAMETERS;
  return evolutionInput(name, { generations: p.generations, variants: p.variants, concurrency: p.concurrency }, { ...DEFAULT_RUN_SETTINGS, heartbeatTimeoutSeconds: p.heartbeatTimeoutSeconds });
}

/** The key `callLlm` records a prompt under: the SHA-256 of system and user text, as the artifact store names it. */
function promptKey(request: LlmRequestRecord): string {
  const user = request.messages.filter((m) => m.role === 'user').map((m) => m.content).join('');
  return createHash('sha256').update(`${request.system}\n\n---\n\n${user}`).digest('hex');
}

/**
 * Counts, from the sandbox's own request log, the requests that arrived after every recorded call
 * with the same prompt had been recorded: work already paid for and kept, paid again. A request
 * before the record is the call itself or its retry while in flight, which a kill makes unavoidable.
 */
export function repeatedCompletedCalls(requests: LlmRequestRecord[], recorded: Array<{ promptSha256: string; createdAtMs: number }>): number {
  const lastRecorded = new Map<string, number>();
  for (const r of recorded) lastRecorded.set(r.promptSha256, Math.max(lastRecorded.get(r.promptSha256) ?? 0, r.createdAtMs));
  return requests.filter((q) => {
    const at = lastRecorded.get(promptKey(q));
    return at !== undefined && q.receivedAt > at;
  }).length;
}

/** What the worker process `pid` logged about its start in the home's JSON log: its phase timings and the activities it handed back. */
export function workerStartLog(logFile: string, pid: number): { startPhasesMs: Record<string, number> | null; handedBack: number | null } {
  let startPhasesMs: Record<string, number> | null = null;
  let handedBack: number | null = null;
  let text = '';
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return { startPhasesMs, handedBack };
  }
  for (const line of text.split('\n')) {
    if (!line.includes(`"pid":${pid},`)) continue;
    let entry: { msg?: string; startMs?: Record<string, number>; handedBack?: number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.msg === 'worker started' && entry.startMs) startPhasesMs = entry.startMs;
    if (typeof entry.handedBack === 'number') handedBack = (handedBack ?? 0) + entry.handedBack;
  }
  return { startPhasesMs, handedBack };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * An evolution with a worker process that is never disturbed: the wall time the kills are placed in,
 * and the backtests the sandbox sees as repeats without any crash (its code normalisation is its own).
 */
async function referenceRun(lab: Lab): Promise<{ wallSeconds: number; repeatedBacktests: number }> {
  const home = benchHome(sandboxConfig(lab.sandbox.url, config()));
  const taskQueue = uniqueName('bench-crashref');
  const worker = await startWorkerProcess({ home, address: lab.address, taskQueue });
  try {
    const workflowId = uniqueName('bench-crashref');
    const handle = await lab.client.workflow.start(evolutionRun, { taskQueue, workflowId, args: [input('crash-reference')], workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT });
    await handle.result();
    const chain = await fetchChain(lab.client, workflowId, handle.firstExecutionRunId);
    const { quantconnect } = lab.sandbox.stats();
    return { wallSeconds: (chain[chain.length - 1]!.closedMs - chain[0]!.startedMs) / 1000, repeatedBacktests: quantconnect.backtestsCreated - quantconnect.uniqueCodeHashesBacktested };
  } finally {
    await stopWorkerProcess(worker);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

export async function measureCrash(lab: Lab): Promise<CrashFigures> {
  const p = CRASH_PARAMETERS;
  lab.resetSandbox(p.sandbox);
  const reference = await referenceRun(lab);
  const referenceWallSeconds = reference.wallSeconds;
  progress(`crash: the undisturbed run took ${referenceWallSeconds.toFixed(1)} s; now killing its twin ${p.kills} times`);

  const random = seededRandom(p.seed);
  const [lo, hi] = p.killWindow;
  const moments = Array.from({ length: p.kills }, () => (lo + random() * (hi - lo)) * referenceWallSeconds * 1000).sort((a, b) => a - b);

  lab.resetSandbox(p.sandbox);
  const home = benchHome(sandboxConfig(lab.sandbox.url, config()));
  const taskQueue = uniqueName('bench-crash');
  const workflowId = uniqueName('bench-crash');
  let worker: WorkerProcess = await startWorkerProcess({ home, address: lab.address, taskQueue });
  const restarts: Array<{ atMs: number; worker: WorkerProcess }> = [];
  try {
    const handle = await lab.client.workflow.start(evolutionRun, { taskQueue, workflowId, args: [input('crash')], workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT });
    const started = Date.now();
    let done = false;
    const result = handle.result().finally(() => (done = true));
    /** Waits until an activity completes after `ms` (the run resumed), or the run ends. */
    const resumedAfter = async (ms: number) => {
      const deadline = Date.now() + 10 * 60_000;
      while (!done) {
        const chain = await fetchChain(lab.client, workflowId, handle.firstExecutionRunId);
        const next = activityCompletions(chain).find((t) => t > ms);
        if (next !== undefined) return next;
        if (Date.now() > deadline) throw new Error(`No activity completed in the 10 minutes after a worker restart`);
        await sleep(250);
      }
      return undefined;
    };
    let resumedAt: number | undefined = worker.readyAt;
    for (const moment of moments) {
      // each kill waits for the run to have resumed from the one before, so every restart's cost is its own
      await sleep(Math.max(started + moment, (resumedAt ?? Date.now()) + p.minUptimeMs) - Date.now());
      if (done) break;
      const atMs = Date.now() - started;
      await stopWorkerProcess(worker, 'SIGKILL');
      worker = await startWorkerProcess({ home, address: lab.address, taskQueue });
      restarts.push({ atMs, worker });
      resumedAt = await resumedAfter(worker.spawnedAt);
      progress(
        `crash: killed the worker at ${(atMs / 1000).toFixed(1)} s; the new one polled after ${((worker.readyAt - worker.spawnedAt) / 1000).toFixed(1)} s` +
          (resumedAt === undefined ? '' : ` and the run resumed ${((resumedAt - worker.spawnedAt) / 1000).toFixed(1)} s after the restart`) +
          ` (${JSON.stringify(workerStartLog(homeLayout(home).log, worker.pid))})`,
      );
    }
    await result;
    if (restarts.length < p.kills) progress(`crash: the run ended after ${restarts.length} of ${p.kills} kills`);

    const chain = await fetchChain(lab.client, workflowId, handle.firstExecutionRunId);
    const completions = activityCompletions(chain);
    const completed = chain
      .flatMap(activityTimings)
      .filter((t) => t.outcome === 'completed')
      .sort((a, b) => a.closedMs - b.closedMs);
    const kills: KillRecord[] = restarts.map(({ atMs, worker: w }) => {
      const next = completions.find((t) => t > w.spawnedAt);
      const activity = completed.find((t) => t.closedMs > w.spawnedAt);
      const since = (ms: number) => round((ms - w.spawnedAt) / 1000, 2);
      return {
        atSeconds: round(atMs / 1000, 2),
        workerStartSeconds: round((w.readyAt - w.spawnedAt) / 1000, 2),
        resumeSeconds: next === undefined ? null : round((next - w.spawnedAt) / 1000, 2),
        ...workerStartLog(homeLayout(home).log, w.pid),
        nextActivity: activity ? { name: activity.name, attempt: activity.attempt, scheduledSeconds: since(activity.scheduledMs), startedSeconds: since(activity.startedMs) } : null,
      };
    });
    const phaseNames = [...new Set(kills.flatMap((k) => Object.keys(k.startPhasesMs ?? {})))];
    const workerStartPhasesMs = Object.fromEntries(
      phaseNames.map((name) => [name, summarize(kills.flatMap((k) => (k.startPhasesMs?.[name] === undefined ? [] : [k.startPhasesMs[name]!])), 0).median]),
    );
    const stats = lab.sandbox.stats();
    const db = new Database(homeLayout(home).database, { readonly: true });
    const rows = db.prepare('SELECT promptSha256, createdAt FROM LlmCall WHERE runId = ?').all(workflowId) as Array<{ promptSha256: string; createdAt: number | string }>;
    db.close();
    const recorded = rows.length;
    const repeatedCompleted = repeatedCompletedCalls(
      lab.sandbox.llmRequests(),
      rows.map((r) => ({ promptSha256: r.promptSha256, createdAtMs: typeof r.createdAt === 'number' ? r.createdAt : Date.parse(r.createdAt) })),
    );
    const crashedWallSeconds = (chain[chain.length - 1]!.closedMs - chain[0]!.startedMs) / 1000;
    const retriedActivities = chain
      .flatMap(activityTimings)
      .filter((t) => t.attempt > 1)
      .map((t) => ({ name: t.name, attempt: t.attempt, waitedSeconds: round((t.startedMs - t.scheduledMs) / 1000, 1) }));
    const timeoutType = temporal.api.enums.v1.TimeoutType;
    const taskTimeouts = chain.flatMap((x) => x.events.map((e) => e.workflowTaskTimedOutEventAttributes?.timeoutType).filter((t) => t !== undefined && t !== null));
    const workflowTaskTimeouts = {
      startToClose: taskTimeouts.filter((t) => t === timeoutType.TIMEOUT_TYPE_START_TO_CLOSE).length,
      scheduleToStart: taskTimeouts.filter((t) => t === timeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START).length,
    };
    const resumed = kills.map((k) => k.resumeSeconds).filter((s): s is number => s !== null);
    if (!resumed.length) throw new Error(`No activity completed after any of the ${kills.length} restarts`);
    return {
      duplicateBacktests: stats.quantconnect.backtestsCreated - stats.quantconnect.uniqueCodeHashesBacktested,
      repeatedLlmCalls: stats.llm.calls - recorded,
      repeatedCompletedLlmCalls: repeatedCompleted,
      resumeSeconds: summarize(resumed, 2),
      workerStartSeconds: summarize(kills.map((k) => k.workerStartSeconds), 2),
      workerStartPhasesMs,
      kills,
      referenceWallSeconds: round(referenceWallSeconds, 2),
      referenceDuplicateBacktests: reference.repeatedBacktests,
      crashedWallSeconds: round(crashedWallSeconds, 2),
      extraWallSeconds: round(crashedWallSeconds - referenceWallSeconds, 2),
      backtestsCreated: stats.quantconnect.backtestsCreated,
      uniqueProgramsBacktested: stats.quantconnect.uniqueCodeHashesBacktested,
      llmCallsAnswered: stats.llm.calls,
      llmCallsRecorded: recorded,
      workflowTaskTimeouts,
      retriedActivities,
    };
  } finally {
    await stopWorkerProcess(worker);
    for (const r of restarts) await stopWorkerProcess(r.worker);
    fs.rmSync(home, { recursive: true, force: true });
  }
}
