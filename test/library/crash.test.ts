import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { LibraryResult } from '../../domain/library';
import { runCli, startCli, tempHome, until, waitForExit } from '../helpers/cli';
import { sandboxStats, testSandbox } from '../helpers/sandbox';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';

describe('library build across a worker crash (the real CLI and worker processes)', () => {
  it('resumes after the worker is killed mid-build, losing nothing and running no completed child again', async () => {
    // backtests take long enough to kill the worker while one is in flight
    const sandbox = await testSandbox({ backtestLatencyMs: 1500 });
    const home = tempHome({ profile: 'sandbox', sandbox: { url: sandbox.url }, quantconnect: { pollSeconds: 0.1 } });
    const taskQueue = uniqueTaskQueue('libcrash');
    const env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue };
    const client = await testClient();
    let worker = await startCli(['worker'], env, /Worker polling/);
    try {
      const started = await runCli(['library', 'build', 'crash', '--categories', 'momentum,mean_reversion,volatility', '--per-category', '1', '--concurrency', '1', '--detach', '--json'], env);
      expect(started.code).toBe(0);
      const { id } = JSON.parse(started.stdout) as { id: string };
      expect(id).toBe('library-crash');

      // one child at a time: when the second backtest exists, the first child has completed
      await until(async () => (await sandboxStats(sandbox.url)).quantconnect.backtestsCreated >= 2, 60_000, 'the second child pipeline to be backtesting');
      const doneBeforeKill: string[] = [];
      for await (const w of client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND WorkflowType = "researchPipeline" AND ExecutionStatus = "Completed"` })) doneBeforeKill.push(w.workflowId);
      worker.child.kill('SIGKILL');
      await waitForExit(worker.child);
      const killedAt = new Date();
      expect(doneBeforeKill).toHaveLength(1);

      worker = await startCli(['worker'], env, /Worker polling/);
      const result = (await client.workflow.getHandle(id).result()) as LibraryResult;
      expect(result.reason).toBe('every category reached its target');
      expect(result.categories.map((c) => [c.id, c.accepted])).toEqual([
        ['momentum', 1],
        ['mean_reversion', 1],
        ['volatility', 1],
      ]);

      // every child ran exactly once: one execution per id, and the one finished before the crash was not run again
      const runs = new Map<string, Array<{ status: string; closeTime?: Date }>>();
      for await (const w of client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND (WorkflowType = "researchPipeline" OR WorkflowType = "processArticle")` })) {
        runs.set(w.workflowId, [...(runs.get(w.workflowId) ?? []), { status: w.status.name, closeTime: w.closeTime }]);
      }
      expect(runs.size).toBeGreaterThanOrEqual(6);
      for (const [, executions] of runs) expect(executions.map((e) => e.status)).toEqual(['COMPLETED']);
      expect(runs.get(doneBeforeKill[0]!)![0]!.closeTime!.getTime()).toBeLessThan(killedAt.getTime());

      // no paid work repeated: one backtest per strategy, every LLM call paid once
      const stats = await sandboxStats(sandbox.url);
      expect(stats.quantconnect.backtestsCreated).toBe(3);
      expect(stats.quantconnect.uniqueCodeHashesBacktested).toBe(3);
      const db = new Database(path.join(home, 'learning.db'), { readonly: true });
      try {
        expect(db.prepare('SELECT COUNT(*) AS n FROM Backtest').get()).toEqual({ n: 3 });
        expect(db.prepare('SELECT COUNT(DISTINCT runId) AS n FROM Backtest').get()).toEqual({ n: 3 });
        expect(db.prepare('SELECT COUNT(*) AS n FROM LlmCall').get()).toEqual({ n: stats.llm.calls });
        expect(db.prepare("SELECT category, title FROM LibraryEntry WHERE library = 'crash' ORDER BY category").all()).toHaveLength(3);
      } finally {
        db.close();
      }

      const status = await runCli(['library', 'status', 'crash'], env);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/library-crash: completed \(every category reached its target\)/);
      for (const category of ['momentum', 'mean_reversion', 'volatility']) expect(status.stdout).toMatch(new RegExp(`${category}\\s+1/1\\s+0\\s+0\\s+1\\s+\\d\\.\\d\\d`));
    } finally {
      worker.child.kill('SIGTERM');
      await waitForExit(worker.child);
      await client.connection.close();
      await sandbox.stop();
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 150_000);
});
