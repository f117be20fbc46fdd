import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActivityNotFoundError, AsyncCompletionClient } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory, NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';

/**
 * The activities a worker process is running, journaled so that the next worker started on the same
 * host can hand back the ones a dead process left behind at once, instead of waiting for their
 * heartbeat timeout.
 *
 * Each process appends a line when an activity attempt starts (`+token`) and when it ends
 * (`-token`) to its own file, `<home>/inflight/<host>/<pid>.tokens`; the file is compacted when the
 * ended lines dominate, and removed on a clean shutdown. A SIGKILL leaves the file behind: written
 * lines survive the process (they are in the kernel's cache), so the file names exactly the
 * attempts that were running. A worker starting on the host claims the files of processes that
 * are not alive (by renaming, so only one claimant wins) and reports those attempts failed.
 *
 * Processes are told apart by host name and pid: workers that share one home from several machines
 * or containers need distinct host names (as the liveness file already does).
 */

/** The folder of this host's journals. */
export function inflightDir(home: string, host = os.hostname()): string {
  return path.join(home, 'inflight', host.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/** `<pid>.<n>.tokens`: the n-th journal of process pid (tests run several worker sets in one process). */
const JOURNAL = /^((\d+)\.\d+\.tokens)$/;
/** A journal a starting process claimed: `<journal>.<claimant pid>.claimed`. */
const CLAIMED = /^((\d+)\.\d+\.tokens)\.(\d+)\.claimed$/;
/** The journals this process opened: its own pid in a file name does not make them orphans. */
const openedHere = new Set<string>();
/** The journals this process claimed and is handing back. */
const claimedHere = new Set<string>();
let opened = 0;

/** Whether a process with this pid runs on this host (one we may not signal still runs). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The workflow execution an activity attempt belongs to. */
export interface Execution {
  workflowId: string;
  runId: string;
}

/** A running attempt: its task token (base64) and its workflow execution. */
export interface RunningAttempt {
  token: string;
  execution?: Execution;
}

/** The attempts a journal's lines leave running: started (`+token workflowId runId`) and not ended (`-token`). */
export function runningAttempts(text: string): RunningAttempt[] {
  const running = new Map<string, RunningAttempt>();
  for (const line of text.split('\n')) {
    const [token, workflowId, runId] = line.slice(1).split(' ');
    if (!token) continue;
    if (line.startsWith('+')) {
      running.set(token, workflowId && runId ? { token, execution: { workflowId: decodeURIComponent(workflowId), runId: decodeURIComponent(runId) } } : { token });
    } else if (line.startsWith('-')) running.delete(token);
  }
  return [...running.values()];
}

/** One process's journal of running activity attempts. */
export class InflightJournal {
  private fd: number;
  /** The `+` line of each running attempt, by token. */
  private readonly running = new Map<string, string>();
  private lines = 0;

  constructor(
    readonly file: string,
    /** Ended lines tolerated beyond the running ones before the file is rewritten. */
    private readonly compactAfter = 1_000,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'w');
    openedHere.add(path.basename(file));
  }

  /** A new journal for this process in the home's folder for this host. */
  static forProcess(home: string): InflightJournal {
    return new InflightJournal(path.join(inflightDir(home), `${process.pid}.${++opened}.tokens`));
  }

  started(token: Uint8Array, execution?: Execution): string {
    const key = Buffer.from(token).toString('base64');
    const line = `+${key}${execution ? ` ${encodeURIComponent(execution.workflowId)} ${encodeURIComponent(execution.runId)}` : ''}\n`;
    this.running.set(key, line);
    this.append(line);
    return key;
  }

  ended(key: string): void {
    if (!this.running.delete(key)) return;
    this.append(`-${key}\n`);
    if (!this.broken && this.lines > this.running.size + this.compactAfter) {
      try {
        this.compact();
      } catch {
        this.broken = true;
      }
    }
  }

  /** Removes the journal: nothing of this process is left running (a clean shutdown). */
  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed by a failed compaction
    }
    fs.rmSync(this.file, { force: true });
    openedHere.delete(path.basename(this.file));
  }

  /** Set when a write failed (a full disk): the journal stops, and a dead process's attempts wait for their heartbeat timeout as before. */
  private broken = false;

  private append(line: string): void {
    if (this.broken) return;
    try {
      fs.writeSync(this.fd, line);
      this.lines++;
    } catch {
      // an activity must not fail because its journal line could not be written
      this.broken = true;
    }
  }

  private compact(): void {
    const tmp = `${this.file}.compacting`;
    fs.writeFileSync(tmp, [...this.running.values()].join(''));
    fs.renameSync(tmp, this.file);
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file, 'a');
    this.lines = this.running.size;
  }
}

export interface OrphanedAttempts {
  /** The dead process's pid, for the message a failed attempt carries. */
  pid: number;
  attempts: Array<{ token: Uint8Array; execution?: Execution }>;
  /** Removes the claimed journal once its attempts are handed back. */
  release(): void;
}

/**
 * Claims the journals of this host's processes that are no longer alive (or carry this process's
 * own pid: a container restarted with the same pid) and returns the attempts they left running.
 * A live process's journal is never touched. Run it before this process opens its own journal.
 */
export function claimOrphanedAttempts(home: string, self = process.pid, alive: (pid: number) => boolean = processAlive): OrphanedAttempts[] {
  const dir = inflightDir(home);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const dead = (pid: number) => pid === self || !alive(pid);
  const claimed: OrphanedAttempts[] = [];
  for (const name of names) {
    const journal = JOURNAL.exec(name);
    const reclaim = CLAIMED.exec(name);
    // a claimant that died before handing the attempts back leaves them to the next one
    const found = journal ? { base: journal[1]!, pid: Number(journal[2]) } : reclaim && !claimedHere.has(name) && dead(Number(reclaim[3])) ? { base: reclaim[1]!, pid: Number(reclaim[2]) } : undefined;
    if (!found || openedHere.has(found.base) || !dead(found.pid)) continue;
    const { base, pid } = found;
    const claim = `${base}.${self}.claimed`;
    const target = path.join(dir, claim);
    try {
      fs.renameSync(path.join(dir, name), target);
    } catch {
      continue; // another starting process claimed it first
    }
    claimedHere.add(claim);
    const attempts = runningAttempts(fs.readFileSync(target, 'utf8')).map((a) => ({ ...a, token: new Uint8Array(Buffer.from(a.token, 'base64')) }));
    const release = () => {
      fs.rmSync(target, { force: true });
      claimedHere.delete(claim);
    };
    claimed.push({ pid, attempts, release });
  }
  return claimed;
}

/** Journals each activity attempt this process runs, from its start to its end. Local activities have no attempt to hand back. */
export function journalInterceptor(journal: InflightJournal): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        if (ctx.info.isLocal) return next(input);
        const key = journal.started(ctx.info.taskToken, ctx.info.workflowExecution);
        try {
          return await next(input);
        } finally {
          journal.ended(key);
        }
      },
    },
  });
}

/** The failure type of an attempt whose worker process died; retryable, like a heartbeat timeout. */
export const WORKER_PROCESS_DIED = 'WorkerProcessDied';

/** How soon a handed-back attempt is retried: at once, the new worker is polling. */
const RETRY_DELAY = '100 milliseconds';

/**
 * Reports the attempts dead processes on this host left running as failed (retryable), so the
 * server retries them now rather than after their heartbeat timeout: the same outcome, seconds
 * sooner. An attempt that meanwhile timed out, completed or was retried is not found and skipped.
 * Never rejects; what it cannot hand back still times out as before.
 */
export async function handBackOrphanedAttempts(options: { home: string; connection: NativeConnection; namespace: string; logger: Logger }): Promise<number> {
  const { logger } = options;
  let orphans: OrphanedAttempts[];
  try {
    orphans = claimOrphanedAttempts(options.home);
  } catch (err) {
    logger.warn({ err }, 'could not read the journals of dead worker processes; their activities are retried after their heartbeat timeout');
    return 0;
  }
  if (!orphans.length) return 0;
  const client = new AsyncCompletionClient({ connection: options.connection, namespace: options.namespace, identity: `${process.pid}@${os.hostname()}` });
  let handedBack = 0;
  for (const orphan of orphans) {
    const failure = ApplicationFailure.create({
      message: `The worker process ${orphan.pid}@${os.hostname()} running this attempt died; a worker started on the same host hands it back for a retry`,
      type: WORKER_PROCESS_DIED,
      nonRetryable: false,
      nextRetryDelay: RETRY_DELAY,
    });
    // the dead process most likely ran these workflows' last tasks: their next ones go to the task queue
    // that live workers poll, not to its sticky queue, which the server would wait on for seconds
    const executions = new Map(orphan.attempts.flatMap((a) => (a.execution ? [[`${a.execution.workflowId}\n${a.execution.runId}`, a.execution] as const] : [])));
    await Promise.allSettled(
      [...executions.values()].map((execution) => options.connection.workflowService.resetStickyTaskQueue({ namespace: options.namespace, execution })),
    );
    const results = await Promise.allSettled(orphan.attempts.map((a) => client.fail(a.token, failure)));
    const failed = results.filter((r) => r.status === 'fulfilled').length;
    const gone = results.filter((r) => r.status === 'rejected' && r.reason instanceof ActivityNotFoundError).length;
    const unexpected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof ActivityNotFoundError));
    for (const r of unexpected.slice(0, 3)) logger.warn({ err: r.reason }, 'could not hand back an activity of a dead worker process; it is retried after its heartbeat timeout');
    orphan.release();
    handedBack += failed;
    // `alreadyEnded`: attempts the server no longer runs (completed, timed out or retried meanwhile)
    logger.info({ deadPid: orphan.pid, handedBack: failed, alreadyEnded: gone, workflows: executions.size }, 'handed back the activities a dead worker process left running');
  }
  return handedBack;
}
