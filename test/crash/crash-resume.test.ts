import fs from 'node:fs';
import os from 'node:os';
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { researchPipeline, evolutionRun, evolutionStatusQuery, type EvolutionResult } from '../../workflows';
import { startDevServer } from '../../worker/temporal-server';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';
import { startCli, tempHome, until, waitForExit } from '../helpers/cli';
import { sandboxStats, testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';
import { evolutionInput } from '../helpers/evolution';

/** Short heartbeats so a killed worker's activities are retried within seconds. */
const FAST = { ...DEFAULT_RUN_SETTINGS, heartbeatTimeoutSeconds: 3, llmTimeoutSeconds: 10 };

async function worker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return (await startCli(['worker'], env, /Worker polling/)).child;
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await waitForExit(child);
}

describe('a worker killed mid-run (SIGKILL) and restarted', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await testSandbox({ backtestLatencyMs: 4000, compileLatencyMs: 300, llmLatencyMs: 300 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('resumes polling the same backtest: no second backtest is created', async () => {
    const home = tempHome({ profile: 'sandbox', sandbox: { url: sandbox.url }, quantconnect: { pollSeconds: 0.2 } });
    const taskQueue = uniqueTaskQueue('crashbt');
    const env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue };
    const client = await testClient();
    let child = await worker(env);
    const before = await sandboxStats(sandbox.url);
    try {
      const handle = await client.workflow.start(researchPipeline, {
        taskQueue,
        workflowId: `pipeline-${taskQueue}`,
        args: [{ target: { kind: 'topic', query: 'volatility' }, articles: 1, source: 'crossref', backtest: true, localOnly: false, maxAttempts: 6, settings: FAST }],
      });
      await until(async () => (await sandboxStats(sandbox.url)).quantconnect.backtestsCreated > before.quantconnect.backtestsCreated, 60_000, 'a backtest to start');
      await until(async () => ((await sandboxStats(sandbox.url)).requests['quantconnect.backtests/read'] ?? 0) > (before.requests['quantconnect.backtests/read'] ?? 0), 10_000, 'polling to start');
      await kill(child);
      child = await worker(env);
      const result = await handle.result();
      expect(result.articles[0]!.error).toBeNull();
      expect(result.articles[0]!.statistics).not.toBeNull();
      const after = await sandboxStats(sandbox.url);
      expect(after.quantconnect.backtestsCreated - before.quantconnect.backtestsCreated).toBe(1);
      const db = new Database(path.join(home, 'learning.db'), { readonly: true });
      expect(db.prepare('SELECT count(*) AS n FROM Backtest').get()).toEqual({ n: 1 });
      db.close();
    } finally {
      await kill(child);
      await client.connection.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);

  it('completes an evolution killed during LLM calls, compiles and backtest polling, with one backtest per unique program', async () => {
    const home = tempHome({ profile: 'sandbox', sandbox: { url: sandbox.url }, quantconnect: { pollSeconds: 0.2 } });
    const taskQueue = uniqueTaskQueue('crashevo');
    const env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue };
    const client = await testClient();
    let child = await worker(env);
    const before = await sandboxStats(sandbox.url);
    const runId = `evolve-${taskQueue}`;
    const count = async (route: string) => (await sandboxStats(sandbox.url)).requests[route] ?? 0;
    let kills = 0;
    try {
      const input = { ...evolutionInput('crash', { generations: 2, variants: 3, concurrency: 3, patience: 5 }), settings: FAST };
      const handle = await client.workflow.start(evolutionRun, { taskQueue, workflowId: runId, args: [input] });
      // 1: during backtest polling of the baseline
      const reads = await count('quantconnect.backtests/read');
      await until(async () => (await count('quantconnect.backtests/read')) > reads, 60_000, 'the baseline backtest to be polled');
      await kill(child);
      kills++;
      child = await worker(env);
      // 2: during LLM calls (variants being proposed)
      const llm = (await sandboxStats(sandbox.url)).llm.calls;
      await until(async () => (await sandboxStats(sandbox.url)).llm.calls > llm, 60_000, 'an LLM call');
      await kill(child);
      kills++;
      child = await worker(env);
      // 3: during a compile
      const compiles = await count('quantconnect.compile/create');
      await until(async () => (await count('quantconnect.compile/create')) > compiles, 60_000, 'a compile');
      await kill(child);
      kills++;
      child = await worker(env);

      const result = await handle.result();
      expect(result.best).not.toBeNull();
      const after = await sandboxStats(sandbox.url);
      const backtests = after.quantconnect.backtestsCreated - before.quantconnect.backtestsCreated;
      expect(backtests).toBe(after.quantconnect.uniqueCodeHashesBacktested - before.quantconnect.uniqueCodeHashesBacktested);
      // LLM calls the sandbox answered, against distinct calls recorded: only calls in flight at a kill may repeat
      const db = new Database(path.join(home, 'learning.db'), { readonly: true });
      const recorded = (db.prepare('SELECT count(*) AS n FROM LlmCall WHERE runId = ?').get(runId) as { n: number }).n;
      db.close();
      const answered = after.llm.calls - before.llm.calls;
      expect(answered).toBeGreaterThanOrEqual(recorded);
      expect(answered - recorded).toBeLessThanOrEqual(kills * input.config.concurrency);
    } finally {
      await kill(child);
      await client.connection.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('the Temporal server restarted mid-run', () => {
  it('loses nothing: the run continues from its persisted state and completes', async () => {
    const sandbox = await testSandbox({ backtestLatencyMs: 300 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-server-'));
    const dbFile = path.join(dir, 'temporal.db');
    // the server comes back on the same port: one below Linux's ephemeral range (32768 up), which
    // any outgoing connection of another test could take while the server is down
    const port = 20000 + Math.floor(Math.random() * 12000);
    let server = (await startDevServer({ port, dbFile })).env;
    const address = server.address;
    const home = tempHome({ profile: 'sandbox', sandbox: { url: sandbox.url }, quantconnect: { pollSeconds: 0.1 } });
    const taskQueue = uniqueTaskQueue('restart');
    const child = await worker({ QUANTCODER_HOME: home, TEMPORAL_ADDRESS: address, QUANTCODER_TASK_QUEUE: taskQueue });
    const connect = async () => new Client({ connection: await Connection.connect({ address }) });
    let client = await connect();
    try {
      const runId = `evolve-${taskQueue}`;
      await client.workflow.start(evolutionRun, { taskQueue, workflowId: runId, args: [{ ...evolutionInput('restart', { generations: 3, variants: 2 }), settings: FAST }] });
      await until(async () => ((await client.workflow.getHandle(runId).query(evolutionStatusQuery).catch(() => null))?.generation ?? 0) >= 1, 60_000, 'generation 1');
      await client.connection.close();
      await server.teardown();
      server = (await startDevServer({ port, dbFile })).env;
      client = await connect();
      const result = (await client.workflow.getHandle(runId).result()) as EvolutionResult;
      expect(result.generation).toBeGreaterThanOrEqual(1);
      expect(result.history[0]!.generation).toBe(0);
      expect(result.best).not.toBeNull();
    } finally {
      await kill(child);
      await client.connection.close();
      await server.teardown();
      await sandbox.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 180_000);
});
