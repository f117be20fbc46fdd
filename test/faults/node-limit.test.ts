import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { researchPipeline } from '../../workflows';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';
import { startCli, tempHome, waitForExit } from '../helpers/cli';
import { sandboxStats, testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';

const WORKERS = 3;
const NODES = 2;
const RUNS = 6;

/**
 * Concurrency limits are per worker process: three workers each happy to run backtests ask
 * QuantConnect for more than the account's nodes. The account refuses the extra ones; QuantCoder
 * must wait for a node instead of failing, and must not start anything twice.
 */
describe('three worker processes against an account with two backtesting nodes', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await testSandbox({ backtestLatencyMs: 2500, compileLatencyMs: 50, backtestNodes: NODES });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('completes every backtest, never runs more than two at once, and duplicates nothing', async () => {
    const taskQueue = uniqueTaskQueue('nodes');
    // one home for the cluster: the workers share the artifact store and the learning database
    const home = tempHome({ profile: 'sandbox', sandbox: { url: sandbox.url }, quantconnect: { pollSeconds: 0.2 } });
    const children: ChildProcess[] = [];
    const client = await testClient();
    try {
      for (let i = 0; i < WORKERS; i++) {
        children.push((await startCli(['worker'], { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue }, /Worker polling/)).child);
      }
      const before = await sandboxStats(sandbox.url);
      const settings = { ...DEFAULT_RUN_SETTINGS, heartbeatTimeoutSeconds: 10 };
      const handles = await Promise.all(
        Array.from({ length: RUNS }, (_, i) =>
          client.workflow.start(researchPipeline, {
            taskQueue,
            workflowId: `pipeline-${taskQueue}-${i}`,
            args: [{ target: { kind: 'topic', query: 'momentum' }, articles: 1, source: 'crossref', backtest: true, localOnly: false, maxAttempts: 3, settings }],
          }),
        ),
      );
      const results = await Promise.all(handles.map((h) => h.result()));
      for (const result of results) {
        expect(result.articles[0]!.error).toBeNull();
        expect(result.articles[0]!.statistics).not.toBeNull();
      }
      const after = await sandboxStats(sandbox.url);
      // the limit was reached: some backtest had to wait for a node
      expect(after.quantconnect.backtestsRefusedNoNode - before.quantconnect.backtestsRefusedNoNode).toBeGreaterThan(0);
      expect(after.quantconnect.runningBacktestsHighWater).toBeLessThanOrEqual(NODES);
      expect(after.quantconnect.backtestsCreated - before.quantconnect.backtestsCreated).toBe(RUNS);
      expect(after.quantconnect.projectsCreated - before.quantconnect.projectsCreated).toBe(RUNS);
      const db = new Database(path.join(home, 'learning.db'), { readonly: true });
      expect(db.prepare('SELECT count(*) AS n FROM Backtest').get()).toEqual({ n: RUNS });
      db.close();
    } finally {
      for (const child of children) {
        child.kill('SIGTERM');
        await waitForExit(child);
      }
      await client.connection.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 240_000);
});
