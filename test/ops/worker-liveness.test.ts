import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateLearningDatabase } from '../../store/database';
import { resolveConfig } from '../../domain/config';
import { judgeLiveness, type LivenessReport } from '../../worker/liveness';
import { longestSilentActivitySeconds, SHUTDOWN_MARGIN_SECONDS, shutdownGraceSeconds } from '../../worker/shutdown';
import { runCli, startCli, tempHome, until, waitForExit } from '../helpers/cli';
import { testAddress, uniqueTaskQueue } from '../helpers/temporal';

const NO_KEYS = { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', QUANTCONNECT_USER_ID: '', QUANTCONNECT_API_TOKEN: '' };

describe('quantcoder worker --liveness', () => {
  const homes: string[] = [];
  afterAll(() => homes.forEach((h) => fs.rmSync(h, { recursive: true, force: true })));

  it('judges the running worker process: alive while it polls, not alive when its event loop stops, gone after SIGTERM', async () => {
    const home = tempHome();
    homes.push(home);
    migrateLearningDatabase(path.join(home, 'learning.db'));
    const livenessFile = path.join(home, 'probe', 'liveness.json');
    const env = {
      QUANTCODER_HOME: home,
      TEMPORAL_ADDRESS: testAddress(),
      QUANTCODER_TASK_QUEUE: uniqueTaskQueue('liveness'),
      QUANTCODER_LIVENESS_FILE: livenessFile,
      QUANTCODER_LOG_FILE: 'none',
      LOG_FORMAT: 'json',
      ...NO_KEYS,
    };
    const worker = await startCli(['worker'], env, /Worker polling/);
    try {
      const alive = await runCli(['worker', '--liveness'], env);
      expect(alive.stdout).toMatch(/^alive: worker \d+ polls 7 task queues/m);
      expect(alive.code).toBe(0);

      // no API keys: the whole-system check is degraded, yet exits 0 (warnings are for the operator)
      const health = await runCli(['health', '--json'], env);
      expect(JSON.parse(health.stdout)).toMatchObject({ status: 'degraded', checks: { api_keys: { status: 'warn' } } });
      expect(health.code).toBe(0);

      // a frozen process (event loop stopped) stops rewriting the file: the probe says so
      worker.child.kill('SIGSTOP');
      let frozen = await runCli(['worker', '--liveness'], env);
      await until(async () => (frozen = await runCli(['worker', '--liveness'], env)).code === 1, 60_000, 'the probe to notice the frozen worker');
      expect(frozen.stdout).toMatch(/NOT ALIVE: worker \d+ last reported \d+ s ago/);
      worker.child.kill('SIGCONT');
      await until(async () => (await runCli(['worker', '--liveness'], env)).code === 0, 30_000, 'the worker to report again');

      worker.child.kill('SIGTERM');
      expect(await waitForExit(worker.child)).toBe(0);
      const gone = await runCli(['worker', '--liveness'], env);
      expect(gone.stdout).toMatch(/NOT ALIVE: no worker writes/);
      expect(gone.code).toBe(1);
      // containers log to stdout only: JSON lines there, no log file on the shared home
      expect(worker.output()).toMatch(/^\{.*"msg":"worker started"/m);
      expect(fs.existsSync(path.join(home, 'quantcoder.log'))).toBe(false);
    } finally {
      worker.child.kill('SIGCONT');
      worker.child.kill('SIGKILL');
    }
  }, 180_000);
});

describe('judgeLiveness', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-liveness-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const now = 1_000_000;
  const write = (over: Partial<LivenessReport>) => {
    const file = path.join(dir, `${Math.random()}.json`);
    const worker = { taskQueue: 'quantcoder', runState: 'RUNNING', workflowPoller: 'POLLING', activityPoller: 'POLLING' };
    const report: LivenessReport = { pid: 42, host: 'h', at: now - 1000, intervalMs: 5000, eventLoopDelayMs: 12, stopping: false, workers: [worker], ...over };
    fs.writeFileSync(file, JSON.stringify(report));
    return file;
  };

  it('passes a fresh report of running, polling workers', () => {
    expect(judgeLiveness(write({}), now)).toMatchObject({ alive: true });
  });
  it('fails a report older than three intervals', () => {
    expect(judgeLiveness(write({ at: now - 16_000 }), now)).toMatchObject({ alive: false, message: expect.stringContaining('last reported 16 s ago') });
  });
  it('fails a worker whose poller failed', () => {
    const file = write({ workers: [{ taskQueue: 'quantcoder-llm', runState: 'RUNNING', workflowPoller: 'POLLING', activityPoller: 'FAILED' }] });
    expect(judgeLiveness(file, now)).toMatchObject({ alive: false, message: expect.stringContaining('poller failed on quantcoder-llm') });
  });
  it('fails a worker that stopped running while not shutting down, and passes one draining after SIGTERM', () => {
    const stopped = [{ taskQueue: 'quantcoder', runState: 'STOPPED', workflowPoller: 'SHUTDOWN', activityPoller: 'SHUTDOWN' }];
    expect(judgeLiveness(write({ workers: stopped }), now)).toMatchObject({ alive: false });
    expect(judgeLiveness(write({ workers: stopped, stopping: true }), now)).toMatchObject({ alive: true, message: expect.stringContaining('shutting down') });
  });
  it('fails a worker whose event loop lags for seconds', () => {
    expect(judgeLiveness(write({ eventLoopDelayMs: 9000 }), now)).toMatchObject({ alive: false, message: expect.stringContaining('event loop delayed 9000 ms') });
  });
});

describe('worker shutdown grace', () => {
  it('is a short margin when every activity heartbeats: none has to be waited for, each is retried elsewhere within seconds', () => {
    const defaults = resolveConfig({}, {});
    expect(longestSilentActivitySeconds(defaults)).toBe(0);
    expect(shutdownGraceSeconds(defaults)).toBe(SHUTDOWN_MARGIN_SECONDS);
  });
  it('refuses a requested grace that is not a positive number of seconds', () => {
    const defaults = resolveConfig({}, {});
    expect(() => shutdownGraceSeconds(defaults, 0)).toThrow(/too short/);
    expect(() => shutdownGraceSeconds(defaults, Number.NaN)).toThrow(/too short/);
    expect(shutdownGraceSeconds(defaults, 45)).toBe(45);
  });
});
