import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type SandboxHandle } from '../../sandbox';
import { planParameters, renderAlgorithm } from '../../sandbox/llm/templates';
import { eventually, qc } from './helpers';

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await startSandbox({ config: { compileLatencyMs: 30, backtestLatencyMs: 400 } });
});
afterAll(() => sandbox.stop());

const momentumCode = renderAlgorithm({ family: 'momentum', title: 'QC test', parameters: planParameters('momentum', {}), extraParameters: [], tickers: [], resolution: 'daily' });

async function newProject(name: string): Promise<number> {
  const { json } = await qc(sandbox.url, 'projects/create', { name, language: 'Py' });
  expect(json.success).toBe(true);
  return json.projects[0].projectId as number;
}

async function compiled(projectId: number, code: string): Promise<{ compileId: string; state: string; logs: string[] }> {
  expect((await qc(sandbox.url, 'files/update', { projectId, name: 'main.py', content: code })).json.success).toBe(true);
  const created = await qc(sandbox.url, 'compile/create', { projectId });
  expect(created.json).toMatchObject({ success: true, state: 'InQueue', logs: [] });
  return eventually(async () => {
    const { json } = await qc(sandbox.url, 'compile/read', { projectId, compileId: created.json.compileId });
    return json.state === 'InQueue' ? undefined : (json as { compileId: string; state: string; logs: string[] });
  });
}

async function finishedBacktest(projectId: number, backtestId: string, seen: Array<Record<string, any>> = []): Promise<Record<string, any>> {
  return eventually(async () => {
    const { json } = await qc(sandbox.url, 'backtests/read', { projectId, backtestId });
    expect(json.success).toBe(true);
    seen.push(json.backtest);
    const b = json.backtest;
    return b.error || b.stacktrace || (b.completed && !Array.isArray(b.statistics)) ? b : undefined;
  });
}

describe('QuantConnect authentication', () => {
  it('accepts the sandbox credentials', async () => {
    expect(await qc(sandbox.url, 'authenticate')).toEqual({ status: 200, json: { success: true, errors: [] } });
  });

  it('refuses a wrong token and a stale or far-future timestamp with HTTP 200 "Hash doesn\'t match."', async () => {
    const refused = { status: 200, json: { success: false, errors: ["Hash doesn't match."] } };
    // a minute past the 2-hour tolerance: a second past it could be read a second later, inside it
    expect(await qc(sandbox.url, 'authenticate', {}, { token: 'not-the-token' })).toEqual(refused);
    expect(await qc(sandbox.url, 'authenticate', {}, { timestamp: Math.floor(Date.now() / 1000) - 7260 })).toEqual(refused);
    expect(await qc(sandbox.url, 'authenticate', {}, { timestamp: Math.floor(Date.now() / 1000) + 7260 })).toEqual(refused);
    expect((await qc(sandbox.url, 'authenticate', {}, { timestamp: Math.floor(Date.now() / 1000) - 600 })).json.success).toBe(true);
    expect((await qc(sandbox.url, 'projects/create', { name: 'x', language: 'Py' }, { token: 'nope' })).json.success).toBe(false);
  });

  it('refuses an unknown user id', async () => {
    const { status, json } = await qc(sandbox.url, 'authenticate', {}, { userId: '999' });
    expect(status).toBe(200);
    expect(json.success).toBe(false);
    expect(json.errors[0]).toMatch(/^UserID not valid/);
  });
});

describe('QuantConnect projects and files', () => {
  it('creates projects that already contain main.py, like the real API', async () => {
    const { json } = await qc(sandbox.url, 'projects/create', { name: 'Sandbox/Files', language: 'Py' });
    expect(json.projects).toHaveLength(1);
    expect(json.projects[0]).toMatchObject({ name: 'Sandbox/Files', language: 'Py' });
    const projectId = json.projects[0].projectId;
    expect(Number.isInteger(projectId)).toBe(true);
    const files = await qc(sandbox.url, 'files/read', { projectId });
    expect(files.json.files.map((f: any) => f.name)).toContain('main.py');
    const dup = await qc(sandbox.url, 'files/create', { projectId, name: 'main.py', content: 'x = 1' });
    expect(dup).toEqual({ status: 200, json: { success: false, errors: ['File already exists'] } });
    expect((await qc(sandbox.url, 'files/update', { projectId, name: 'main.py', content: momentumCode })).json.success).toBe(true);
    expect((await qc(sandbox.url, 'files/create', { projectId, name: 'helpers.py', content: 'X = 1\n' })).json.success).toBe(true);
    const read = await qc(sandbox.url, 'files/read', { projectId, name: 'main.py' });
    expect(read.json.files[0].content).toBe(momentumCode);
    const listed = await qc(sandbox.url, 'projects/read', {});
    expect(listed.json.projects.some((p: any) => p.projectId === projectId)).toBe(true);
    expect((await qc(sandbox.url, 'projects/delete', { projectId })).json.success).toBe(true);
    expect((await qc(sandbox.url, 'projects/read', { projectId })).json.success).toBe(false);
  });
});

describe('QuantConnect compiles', () => {
  it('reports BuildSuccess for valid Python', async () => {
    const projectId = await newProject('compile-ok');
    const result = await compiled(projectId, momentumCode);
    expect(result.state).toBe('BuildSuccess');
  });

  it('reports BuildError (still success: true) with LEAN-like logs and line numbers for bad Python', async () => {
    const projectId = await newProject('compile-bad');
    const broken = momentumCode.replace('        self.set_cash(100000)', '        self.set_cash(100000').replace('    def check_stops(self):', '    def check_stops(self)');
    const line = broken.split('\n').findIndex((l) => l.includes('self.set_cash(100000')) + 1;
    const result = await compiled(projectId, broken);
    expect(result).toMatchObject({ state: 'BuildError', success: true });
    expect(result.logs[0]).toMatch(/^Build Request Successful for Project ID: \d+, with CompileID: /);
    expect(result.logs[1]).toMatch(new RegExp(`^Build Error: File: main\\.py Line: ${line} Column: \\d+ - SyntaxError: `));
    const backtest = await qc(sandbox.url, 'backtests/create', { projectId, compileId: result.compileId, backtestName: 'never' });
    expect(backtest.json.success).toBe(false);
  });
});

describe('QuantConnect backtests', () => {
  it('runs with statistics [] while running, then string statistics when complete', async () => {
    const projectId = await newProject('backtest-ok');
    const { compileId } = await compiled(projectId, momentumCode);
    // long enough that polls every 25 ms surely see it queued and running, even on a loaded machine
    sandbox.configure({ backtestLatencyMs: 1500 });
    const created = await qc(sandbox.url, 'backtests/create', { projectId, compileId, backtestName: 'momentum-1' });
    sandbox.configure({ backtestLatencyMs: 400 });
    expect(created.json.success).toBe(true);
    expect(created.json.backtest).toMatchObject({ name: 'momentum-1', status: 'In Queue...', completed: false, statistics: [] });
    const seen: Array<Record<string, any>> = [];
    const done = await finishedBacktest(projectId, created.json.backtest.backtestId, seen);
    const running = seen.find((b) => /^Running: \d+%$/.test(b.status));
    expect(running).toBeDefined();
    // every poll while running shows no statistics yet and a progress below 1, and the progress moves
    const runningPolls = seen.filter((b) => /^Running: \d+%$/.test(b.status));
    for (const b of runningPolls) {
      expect(b.statistics).toEqual([]);
      expect(b.progress).toBeGreaterThanOrEqual(0);
      expect(b.progress).toBeLessThan(1);
    }
    expect(runningPolls.some((b) => b.progress > 0)).toBe(true);
    expect(done).toMatchObject({ status: 'Completed.', completed: true, progress: 1, error: null, stacktrace: null, backtestStart: '2015-01-01 00:00:00', backtestEnd: '2023-12-31 00:00:00' });
    expect(Object.values(done.statistics).every((v) => typeof v === 'string')).toBe(true);
    expect(done.statistics['Sharpe Ratio']).toMatch(/^-?\d+\.\d{3}$/);
    expect(done.statistics['Compounding Annual Return']).toMatch(/%$/);
    expect(done.runtimeStatistics.Equity).toMatch(/^\$[\d,]+\.\d{2}$/);
    expect(typeof done.totalPerformance.portfolioStatistics.sharpeRatio).toBe('string');

    const list = await qc(sandbox.url, 'backtests/list', { projectId });
    expect(list.json.backtests.map((b: any) => b.backtestId)).toEqual([created.json.backtest.backtestId]);
    expect((await qc(sandbox.url, 'backtests/delete', { projectId, backtestId: created.json.backtest.backtestId })).json.success).toBe(true);
    expect((await qc(sandbox.url, 'backtests/list', { projectId })).json.backtests).toEqual([]);
    expect((await qc(sandbox.url, 'backtests/read', { projectId, backtestId: created.json.backtest.backtestId })).json.success).toBe(false);
  });

  it('gives the same statistics to the same code modulo comments, and a higher Sharpe nearer the optimum', async () => {
    const projectId = await newProject('backtest-determinism');
    const sharpeOf = async (code: string) => {
      const { compileId } = await compiled(projectId, code);
      const { json } = await qc(sandbox.url, 'backtests/create', { projectId, compileId, backtestName: `b-${Math.random()}` });
      return (await finishedBacktest(projectId, json.backtest.backtestId)).statistics as Record<string, string>;
    };
    sandbox.configure({ backtestLatencyMs: 0 });
    const plain = await sharpeOf(momentumCode);
    const commented = await sharpeOf(momentumCode.replace('self.lookback = 252', 'self.lookback = 252  # twelve months').replace('class ', '# a comment\nclass '));
    const tuned = await sharpeOf(momentumCode.replace('self.lookback = 252', 'self.lookback = 140').replace('self.stop_loss = 0.1', 'self.stop_loss = 0.08'));
    sandbox.configure({ backtestLatencyMs: 400 });
    expect(commented).toEqual(plain);
    expect(Number(tuned['Sharpe Ratio'])).toBeGreaterThan(Number(plain['Sharpe Ratio']));
  });

  it('ends code that fails at run time with a Runtime Error, an error and a stack trace', async () => {
    const projectId = await newProject('backtest-runtime-error');
    const pascal = momentumCode.replace('self.set_cash(100000)', 'self.SetCash(100000)');
    const { compileId, state } = await compiled(projectId, pascal);
    expect(state).toBe('BuildSuccess');
    const { json } = await qc(sandbox.url, 'backtests/create', { projectId, compileId, backtestName: 'pascal' });
    const done = await finishedBacktest(projectId, json.backtest.backtestId);
    expect(done.status).toBe('Runtime Error');
    expect(done.hasInitializeError).toBe(true);
    expect(done.error).toContain("object has no attribute 'SetCash'");
    expect(done.stacktrace).toMatch(/in main\.py: line \d+/);

    const undefinedCall = momentumCode.replace('        self.check_stops()', '        self.check_stops()\n        self.undefined_rebalance()');
    const second = await compiled(projectId, undefinedCall);
    const run = await qc(sandbox.url, 'backtests/create', { projectId, compileId: second.compileId, backtestName: 'undefined' });
    const failed = await finishedBacktest(projectId, run.json.backtest.backtestId);
    expect(failed).toMatchObject({ status: 'Runtime Error', hasInitializeError: false });
    expect(failed.progress).toBeGreaterThan(0);
    expect(failed.error).toContain('undefined_rebalance');
    expect(failed.stacktrace).toContain('at on_data');

    const raising = momentumCode.replace('        self.set_cash(100000)', '        self.set_cash(100000)\n        raise ValueError("no data for this universe")');
    const third = await compiled(projectId, raising);
    const raised = await finishedBacktest(projectId, (await qc(sandbox.url, 'backtests/create', { projectId, compileId: third.compileId, backtestName: 'raise' })).json.backtest.backtestId);
    expect(raised.error).toContain('ValueError : no data for this universe');
  });

  it('keeps projects and backtests across a restart with the same state file', async () => {
    const statePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qc-sandbox-')), 'state.json');
    const first = await startSandbox({ statePath, config: { compileLatencyMs: 0, backtestLatencyMs: 300 } });
    const { json } = await qc(first.url, 'projects/create', { name: 'persisted', language: 'Py' });
    const projectId = json.projects[0].projectId;
    await qc(first.url, 'files/update', { projectId, name: 'main.py', content: momentumCode });
    const compile = (await qc(first.url, 'compile/create', { projectId })).json;
    await eventually(async () => ((await qc(first.url, 'compile/read', { projectId, compileId: compile.compileId })).json.state === 'BuildSuccess' ? true : undefined));
    const backtestId = (await qc(first.url, 'backtests/create', { projectId, compileId: compile.compileId, backtestName: 'survivor' })).json.backtest.backtestId;
    await first.stop();
    expect(JSON.parse(fs.readFileSync(statePath, 'utf8')).projects[String(projectId)].name).toBe('persisted');

    const second = await startSandbox({ statePath });
    try {
      const project = await qc(second.url, 'projects/read', { projectId });
      expect(project.json.projects[0].name).toBe('persisted');
      expect((await qc(second.url, 'files/read', { projectId, name: 'main.py' })).json.files[0].content).toBe(momentumCode);
      const done = await eventually(async () => {
        const b = (await qc(second.url, 'backtests/read', { projectId, backtestId })).json.backtest;
        return b.completed ? b : undefined;
      });
      expect(done.status).toBe('Completed.');
      expect(second.stats().quantconnect).toMatchObject({ projectsCreated: 1, backtestsCreated: 1, uniqueCodeHashesBacktested: 1 });
      const next = await qc(second.url, 'projects/create', { name: 'after-restart', language: 'Py' });
      expect(next.json.projects[0].projectId).toBeGreaterThan(projectId);
    } finally {
      await second.stop();
      fs.rmSync(path.dirname(statePath), { recursive: true, force: true });
    }
  });
});

describe('QuantConnect backtesting nodes', () => {
  afterEach(() => sandbox.configure({ backtestNodes: 0 }));

  it('refuses one backtest more than the account has nodes (HTTP 200, success false), and takes it once a node is free', async () => {
    sandbox.configure({ backtestNodes: 2 });
    const projectId = await newProject('Sandbox/Nodes');
    const compile = await compiled(projectId, momentumCode);
    const stats = async () => ((await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as { quantconnect: Record<string, number> }).quantconnect;
    const before = await stats();
    const started: string[] = [];
    for (const name of ['n1', 'n2']) {
      const { json } = await qc(sandbox.url, 'backtests/create', { projectId, compileId: compile.compileId, backtestName: name });
      expect(json.success).toBe(true);
      started.push(json.backtest.backtestId);
    }
    const refused = await qc(sandbox.url, 'backtests/create', { projectId, compileId: compile.compileId, backtestName: 'n3' });
    expect(refused.status).toBe(200);
    expect(refused.json.success).toBe(false);
    expect(refused.json.errors[0]).toMatch(/no spare nodes/i);
    await finishedBacktest(projectId, started[0]!);
    const third = await qc(sandbox.url, 'backtests/create', { projectId, compileId: compile.compileId, backtestName: 'n3' });
    expect(third.json.success).toBe(true);
    const after = await stats();
    expect(after.backtestsRefusedNoNode! - before.backtestsRefusedNoNode!).toBe(1);
    expect(after.runningBacktestsHighWater).toBe(2);
  });
});
