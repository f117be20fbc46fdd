import fs from 'node:fs';
import { Client as PgClient } from 'pg';
import type { Client } from '@temporalio/client';
import { evolutionRun, type EvolutionResult } from '../../workflows';
import type { LibraryResult } from '../../domain/library';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';
import { runCli, startCli, tempHome, until, waitForExit } from '../helpers/cli';
import { evolutionInput } from '../helpers/evolution';
import { freshPostgresDatabase, postgresSkipReason } from '../helpers/postgres';
import { sandboxStats, testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';

/** Temporal's PENDING_ACTIVITY_STATE_STARTED: a worker picked the activity up and runs it. */
const ACTIVITY_STARTED = 2;

/** Short timeouts, so the work of the SIGKILLed worker is handed to another within seconds. */
const TIMEOUTS = { llm: { timeoutSeconds: 15 }, quantconnect: { pollSeconds: 0.2, timeoutSeconds: 15 }, download: { timeoutSeconds: 15 } };

interface ClusterWorker {
  name: string;
  home: string;
  pid: number;
  child: Awaited<ReturnType<typeof startCli>>['child'];
  output: () => string;
}

interface CaughtActivity {
  workflowId: string;
  runId: string;
  activityId: string;
  type: string;
}

/**
 * Waits until one of the task queue's running workflows has an activity started by `worker`
 * (Temporal records the identity of the worker that picked each pending activity up: `pid@host …`).
 */
async function activityStartedOn(client: Client, taskQueue: string, worker: ClusterWorker, timeoutMs: number): Promise<CaughtActivity> {
  let found: CaughtActivity | undefined;
  await until(
    async () => {
      for await (const w of client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"` })) {
        const description = await client.workflow
          .getHandle(w.workflowId, w.runId)
          .describe()
          .catch(() => null);
        const started = description?.raw.pendingActivities?.find(
          (a) => Number(a.state) === ACTIVITY_STARTED && (a.lastWorkerIdentity ?? '').startsWith(`${worker.pid}@`),
        );
        if (started) {
          found = { workflowId: w.workflowId, runId: w.runId, activityId: started.activityId!, type: started.activityType?.name ?? '' };
          return true;
        }
      }
      return false;
    },
    timeoutMs,
    `an activity started on ${worker.name}`,
  );
  return found!;
}

/** The worker whose result the workflow's history records for the activity, and when; null if it never completed. */
async function completedBy(client: Client, caught: CaughtActivity): Promise<{ identity: string; at: number } | null> {
  const history = await client.workflow.getHandle(caught.workflowId, caught.runId).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === caught.activityId);
  if (!scheduled) return null;
  const completed = events.find((e) => e.activityTaskCompletedEventAttributes && String(e.activityTaskCompletedEventAttributes.scheduledEventId) === String(scheduled.eventId));
  if (!completed) return null;
  const seconds = Number(completed.eventTime?.seconds ?? 0) + (completed.eventTime?.nanos ?? 0) / 1e9;
  return { identity: completed.activityTaskCompletedEventAttributes!.identity ?? '', at: seconds * 1000 };
}

const skip = postgresSkipReason();
if (skip) console.log(`cluster test: skipped: ${skip}`);

/**
 * A cluster on one machine: the learning store on PostgreSQL, one Temporal server, three worker
 * processes with homes of their own polling the same task queues. A library build and an evolution
 * run go on across them while one worker is stopped (SIGTERM: it drains) and another dies (SIGKILL).
 */
(skip ? describe.skip : describe)('three workers on one PostgreSQL learning store, one stopped and one killed mid-run', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    // backtests and LLM answers take long enough for the workers to be caught mid-activity
    sandbox = await testSandbox({ backtestLatencyMs: 2000, compileLatencyMs: 200, llmLatencyMs: 200 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('completes both runs, backtests every program once and writes every learning row once', async () => {
    const url = await freshPostgresDatabase('cluster');
    const taskQueue = uniqueTaskQueue('cluster');
    const client = await testClient();
    const workers: ClusterWorker[] = [];
    const envOf = (home: string) => ({ QUANTCODER_HOME: home, QUANTCODER_DATABASE_URL: url, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue });
    try {
      for (const name of ['w0', 'w1', 'w2']) {
        const home = tempHome({ profile: 'sandbox', sandbox: { url: sandbox.url }, ...TIMEOUTS });
        const started = await startCli(['worker'], envOf(home), /Worker polling/, 120_000);
        workers.push({ name, home, pid: started.child.pid!, child: started.child, output: started.output });
      }
      const [, stopped, killed] = workers as [ClusterWorker, ClusterWorker, ClusterWorker];

      // the library build, as an operator starts it from any machine of the cluster
      const build = await runCli(
        ['library', 'build', 'cluster', '--categories', 'momentum,mean_reversion', '--per-category', '1', '--articles-per-run', '1', '--concurrency', '2', '--detach', '--json'],
        envOf(workers[0]!.home),
      );
      expect(build.code).toBe(0);
      const buildId = (JSON.parse(build.stdout) as { id: string }).id;
      const evolutionId = `evolve-${taskQueue}`;
      const settings = { ...DEFAULT_RUN_SETTINGS, llmTimeoutSeconds: 15, quantconnectTimeoutSeconds: 15 };
      const evolution = await client.workflow.start(evolutionRun, {
        taskQueue,
        workflowId: evolutionId,
        args: [{ ...evolutionInput('cluster', { generations: 2, variants: 3, concurrency: 3, patience: 5 }), settings }],
      });

      // SIGTERM while an activity runs on it: the worker stops polling, finishes what it holds, and exits cleanly
      const drained = await activityStartedOn(client, taskQueue, stopped, 120_000);
      stopped.child.kill('SIGTERM');
      expect(await waitForExit(stopped.child)).toBe(0);

      // SIGKILL while an activity runs on it: its work is retried by the last worker
      const lost = await activityStartedOn(client, taskQueue, killed, 120_000);
      killed.child.kill('SIGKILL');
      await waitForExit(killed.child);
      const killedAt = Date.now();

      const [library, evolved] = await Promise.all([client.workflow.getHandle(buildId).result() as Promise<LibraryResult>, evolution.result() as Promise<EvolutionResult>]);
      // on failure, the categories say why (runs, rejected, failed and the last error of each)
      const reached = 'every category reached its target';
      expect({ reason: library.reason, categories: library.reason === reached ? [] : library.categories }).toEqual({ reason: reached, categories: [] });
      expect(library.categories.map((c) => [c.id, c.accepted])).toEqual([
        ['momentum', 1],
        ['mean_reversion', 1],
      ]);
      expect(evolved.best).not.toBeNull();
      expect(evolved.history.map((h) => h.generation)).toContain(1);
      // the stopped worker finished the activity it held; the killed one's was finished by another worker
      expect(drained.type).not.toBe('');
      expect((await completedBy(client, drained))?.identity).toMatch(new RegExp(`^${stopped.pid}@`));
      expect(lost.type).not.toBe('');
      const retried = await completedBy(client, lost);
      expect(retried).not.toBeNull();
      // (unless it finished in the instant between being seen and the kill: then before the worker died)
      if (retried!.identity.startsWith(`${killed.pid}@`)) expect(retried!.at).toBeLessThanOrEqual(killedAt);
      else expect(retried!.identity).toMatch(new RegExp(`^${workers[0]!.pid}@`));

      // QuantConnect's own count: one backtest per distinct program (each program sets its period)
      const stats = await sandboxStats(sandbox.url);
      expect(stats.quantconnect.backtestsCreated).toBeGreaterThan(0);
      expect(stats.quantconnect.backtestsCreated).toBe(stats.quantconnect.uniqueCodeHashesBacktested);

      // the learning store: every row written once, whichever worker wrote it
      const pg = new PgClient({ connectionString: url });
      await pg.connect();
      try {
        const rows = async (sql: string) => (await pg.query(sql)).rows as Array<Record<string, unknown>>;
        const n = async (sql: string) => Number((await rows(sql))[0]!.n);
        // every backtest paid for is recorded, each once
        expect(await n('SELECT count(*) AS n FROM "Backtest" WHERE "backtestId" IS NOT NULL')).toBe(stats.quantconnect.backtestsCreated);
        expect(await rows('SELECT "backtestId" FROM "Backtest" WHERE "backtestId" IS NOT NULL GROUP BY 1 HAVING count(*) > 1')).toEqual([]);
        // one library entry per accepted paper; one attempt row per paper tried in a child run
        expect(await rows(`SELECT "paperKey" FROM "LibraryEntry" WHERE library = 'cluster' GROUP BY 1 HAVING count(*) > 1`)).toEqual([]);
        expect(await n(`SELECT count(*) AS n FROM "LibraryEntry" WHERE library = 'cluster'`)).toBe(2);
        expect(await rows(`SELECT "childRunId", "articleKey" FROM "LibraryAttempt" WHERE library = 'cluster' GROUP BY 1, 2 HAVING count(*) > 1`)).toEqual([]);
        // one variant row per variant of the run, one summary per paper of a run
        expect(await rows(`SELECT "variantId" FROM "Variant" WHERE "runId" = '${evolutionId}' GROUP BY 1 HAVING count(*) > 1`)).toEqual([]);
        expect(await n(`SELECT count(DISTINCT "variantId") AS n FROM "Variant" WHERE "runId" = '${evolutionId}'`)).toBeGreaterThanOrEqual(evolved.history.length);
        expect(await rows('SELECT "runId", "articleId" FROM "Summary" GROUP BY 1, 2 HAVING count(*) > 1')).toEqual([]);
        expect(await rows('SELECT source, "externalId" FROM "Article" GROUP BY 1, 2 HAVING count(*) > 1')).toEqual([]);
        // every LLM call recorded once; the sandbox answered at most the calls in flight at the kill once more
        const recorded = await n('SELECT count(*) AS n FROM "LlmCall"');
        expect(await rows('SELECT "runId", "callKey" FROM "LlmCall" GROUP BY 1, 2 HAVING count(*) > 1')).toEqual([]);
        expect(stats.llm.calls).toBeGreaterThanOrEqual(recorded);
        expect(stats.llm.calls - recorded).toBeLessThanOrEqual(6);
      } finally {
        await pg.end();
      }

      // and the operator's commands read the same store
      const status = await runCli(['library', 'status', 'cluster', '--json'], envOf(workers[0]!.home));
      expect(status.code).toBe(0);
      expect((JSON.parse(status.stdout) as { accepted: number }).accepted).toBe(2);
      // the learning store is PostgreSQL only: no worker created a SQLite file in its home
      for (const w of workers) expect(fs.existsSync(`${w.home}/learning.db`)).toBe(false);
    } finally {
      for (const w of workers) {
        if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
        await waitForExit(w.child);
      }
      await client.connection.close();
      for (const w of workers) fs.rmSync(w.home, { recursive: true, force: true });
    }
  }, 300_000);
});
