import fs from 'node:fs';
import os from 'node:os';
import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { evolutionRun } from '../../workflows';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';
import { inflightDir } from '../../worker/inflight';
import { startCli, tempHome, until, waitForExit } from '../helpers/cli';
import { sandboxStats, testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';
import { evolutionInput } from '../helpers/evolution';

/**
 * A heartbeat timeout far longer than the test waits: an attempt retried within the test was handed
 * back by the restarted worker, not noticed dead by the server.
 */
const SLOW_HEARTBEAT = { ...DEFAULT_RUN_SETTINGS, heartbeatTimeoutSeconds: 600 };

async function worker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return (await startCli(['worker'], env, /Worker polling/, 120_000)).child;
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await waitForExit(child);
}

/** The running activity of a workflow (the baseline's backtest, here), as the server describes it. */
async function pendingActivity(client: Client, workflowId: string) {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  const [pending] = raw.pendingActivities ?? [];
  return pending
    ? {
        type: pending.activityType?.name,
        attempt: pending.attempt ?? 1,
        failureType: pending.lastFailure?.applicationFailureInfo?.type ?? pending.lastFailure?.timeoutFailureInfo?.timeoutType ?? null,
        workerIdentity: pending.lastWorkerIdentity ?? '',
      }
    : undefined;
}

describe('a worker restarted on the same host after a SIGKILL', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    // backtests run far longer than the test: each one stays in flight until the workflow is ended
    sandbox = await testSandbox({ backtestLatencyMs: 600_000, compileLatencyMs: 0, llmLatencyMs: 50 });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("hands back the dead process's running activities at once, and never a live worker's", async () => {
    // two workers share one home on this host, each on its own task queue, so each runs its own run's backtest
    const home = tempHome({ profile: 'sandbox', sandbox: { url: sandbox.url }, quantconnect: { pollSeconds: 0.2 } });
    const killedQueue = uniqueTaskQueue('handback');
    const liveQueue = uniqueTaskQueue('handback-live');
    const env = (taskQueue: string) => ({ QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue, QUANTCODER_LOG_FILE: 'none' });
    const client = await testClient();
    const children: ChildProcess[] = [];
    const runs = { killed: `evolve-${killedQueue}`, live: `evolve-${liveQueue}` };
    try {
      const doomed = await worker(env(killedQueue));
      const live = await worker(env(liveQueue));
      children.push(doomed, live);
      for (const [queue, workflowId] of [
        [killedQueue, runs.killed],
        [liveQueue, runs.live],
      ] as const) {
        await client.workflow.start(evolutionRun, { taskQueue: queue, workflowId, args: [{ ...evolutionInput('handback', { generations: 1, variants: 1 }), settings: SLOW_HEARTBEAT }] });
      }
      // both baselines' backtests are running (one worker polls each)
      await until(async () => (await sandboxStats(sandbox.url)).quantconnect.backtestsCreated >= 2, 90_000, 'both baseline backtests to start');
      await until(async () => (await pendingActivity(client, runs.killed))?.type === 'runBacktest' && (await pendingActivity(client, runs.live))?.type === 'runBacktest', 30_000, 'both backtest activities to run');
      const killedBefore = (await pendingActivity(client, runs.killed))!;
      expect(killedBefore.attempt).toBe(1);
      expect(fs.readdirSync(inflightDir(home, os.hostname())).filter((f) => f.endsWith('.tokens'))).toHaveLength(2);

      await kill(doomed);
      children.push(await worker(env(killedQueue)));

      // the new worker reported the dead process's attempt failed as WorkerProcessDied; the server retried it on the new worker
      // (the attempt count rises when the failure is recorded; the new worker picks the retry up a moment later)
      const restarted = `${children[2]!.pid}@`;
      await until(
        async () => {
          const p = await pendingActivity(client, runs.killed);
          return (p?.attempt ?? 1) >= 2 && !!p?.workerIdentity.includes(restarted);
        },
        60_000,
        'the killed backtest to be retried on the new worker',
      );
      const retried = (await pendingActivity(client, runs.killed))!;
      expect(retried.failureType).toBe('WorkerProcessDied');
      expect(retried.attempt).toBe(2);
      // the retry found the backtest the dead attempt started (heartbeat details survive the hand-back)
      expect((await sandboxStats(sandbox.url)).quantconnect.backtestsCreated).toBe(2);

      // the live worker's attempt was left alone, and its journal with it
      const liveNow = (await pendingActivity(client, runs.live))!;
      expect(liveNow).toMatchObject({ type: 'runBacktest', attempt: 1, failureType: null });
      expect(liveNow.workerIdentity).toContain(`${live.pid}@`);
      // the claimed journal is removed once its attempts are handed back
      const journalsOf = () => fs.readdirSync(inflightDir(home, os.hostname()));
      await until(() => !journalsOf().some((f) => f.endsWith('.claimed')), 30_000, 'the claimed journal to be released');
      const journals = journalsOf();
      expect(journals).toHaveLength(2);
      expect(journals.filter((f) => f.startsWith(`${live.pid}.`) && f.endsWith('.tokens'))).toHaveLength(1);
      expect(journals.filter((f) => f.startsWith(`${children[2]!.pid}.`) && f.endsWith('.tokens'))).toHaveLength(1);
    } finally {
      for (const id of Object.values(runs)) await client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
      for (const c of children) await kill(c);
      await client.connection.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 300_000);
});
