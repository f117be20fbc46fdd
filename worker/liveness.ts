import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Worker } from '@temporalio/worker';

/**
 * Liveness of one worker process, for a container health check or a service manager. The process
 * rewrites a small JSON file every few seconds from a timer on its own event loop, with each
 * worker's run state and poller states; the probe (`quantcoder worker --liveness`) judges the file.
 * A blocked event loop stops the writes (the file goes stale); a failed poller or a worker that
 * stopped running shows in the file. Nothing here asks Temporal or checks configuration: that is
 * `quantcoder health`, the operator's whole-system check.
 */

export interface LivenessReport {
  pid: number;
  host: string;
  /** ms since the epoch of this write */
  at: number;
  /** the writer's interval, so the probe knows when the file is stale */
  intervalMs: number;
  /** 99th percentile event-loop delay since the previous write */
  eventLoopDelayMs: number;
  stopping: boolean;
  workers: Array<{ taskQueue: string; runState: string; workflowPoller: string; activityPoller: string }>;
}

export interface LivenessVerdict {
  alive: boolean;
  message: string;
}

/** Where the liveness file goes: `QUANTCODER_LIVENESS_FILE`, else one per host in the QuantCoder home. */
export function livenessFile(home: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.QUANTCODER_LIVENESS_FILE || path.join(home, `worker-${os.hostname()}.liveness.json`);
}

const SHUTTING_DOWN = new Set(['STOPPING', 'DRAINING', 'DRAINED', 'STOPPED']);

/** Starts writing the liveness file; `stop()` removes it once the workers are done. */
export function startLivenessReporter(workers: Worker[], file: string, intervalMs = 5000): { refresh(): void; stop(): void } {
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const write = () => {
    const states = workers.map((w) => w.getState());
    // a graceful shutdown (SIGTERM) is alive until it ends; a worker that stopped on its own is not
    const stopping = states.some((s) => SHUTTING_DOWN.has(s)) && states.every((s) => s !== 'FAILED');
    const report: LivenessReport = {
      pid: process.pid,
      host: os.hostname(),
      at: Date.now(),
      intervalMs,
      eventLoopDelayMs: Math.round(delay.percentile(99) / 1e6),
      stopping,
      workers: workers.map((w) => {
        const s = w.getStatus();
        return { taskQueue: w.options.taskQueue, runState: s.runState, workflowPoller: s.workflowPollerState, activityPoller: s.activityPollerState };
      }),
    };
    delay.reset();
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify(report));
      fs.renameSync(tmp, file);
    } catch {
      // an unwritable file shows as a stale one to the probe; the worker itself keeps working
    }
  };
  write();
  const timer = setInterval(write, intervalMs);
  timer.unref();
  return {
    /** Writes now (the workers just started running: the probe need not wait for the next tick). */
    refresh: write,
    stop() {
      clearInterval(timer);
      delay.disable();
      fs.rmSync(file, { force: true });
    },
  };
}

/**
 * Judges a liveness file. Stale after three missed writes (the event loop is blocked or the process
 * is gone); dead when a worker stopped running while the process is not shutting down, or a poller failed.
 */
export function judgeLiveness(file: string, now = Date.now(), maxEventLoopDelayMs = 5000): LivenessVerdict {
  let report: LivenessReport;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8')) as LivenessReport;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { alive: false, message: code === 'ENOENT' ? `no worker writes ${file} (not started, or stopped)` : `${file} is unreadable: ${(err as Error).message}` };
  }
  const age = now - report.at;
  if (age > report.intervalMs * 3) {
    return { alive: false, message: `worker ${report.pid} last reported ${Math.round(age / 1000)} s ago (every ${report.intervalMs / 1000} s expected): event loop blocked or process gone` };
  }
  if (report.eventLoopDelayMs > maxEventLoopDelayMs) {
    return { alive: false, message: `worker ${report.pid}: event loop delayed ${report.eventLoopDelayMs} ms (limit ${maxEventLoopDelayMs} ms)` };
  }
  const failed = report.workers.filter((w) => w.workflowPoller === 'FAILED' || w.activityPoller === 'FAILED');
  if (failed.length) return { alive: false, message: `worker ${report.pid}: poller failed on ${failed.map((w) => w.taskQueue).join(', ')}` };
  if (report.stopping) return { alive: true, message: `worker ${report.pid} is shutting down gracefully` };
  const notRunning = report.workers.filter((w) => w.runState !== 'RUNNING');
  if (notRunning.length || !report.workers.length) {
    return { alive: false, message: `worker ${report.pid}: not running on ${notRunning.map((w) => `${w.taskQueue} (${w.runState})`).join(', ') || 'any task queue'}` };
  }
  return { alive: true, message: `worker ${report.pid} polls ${report.workers.length} task queues; event loop delay ${report.eventLoopDelayMs} ms` };
}
