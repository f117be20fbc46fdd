import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { runCli, startCli, tempHome, waitForExit } from '../helpers/cli';
import { testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';

describe('the main job through the real CLI, in the sandbox', () => {
  let sandbox: SandboxHandle;
  let worker: ChildProcess;
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sandbox = await testSandbox();
    home = tempHome({ sandbox: { url: sandbox.url }, quantconnect: { pollSeconds: 0.1 } });
    env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: uniqueTaskQueue('cli'), QUANTCODER_PROFILE: 'sandbox' };
    worker = (await startCli(['worker'], env, /Worker polling/)).child;
  });
  afterAll(async () => {
    worker.kill('SIGTERM');
    await waitForExit(worker);
    await sandbox.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('`run --backtest --json` reports each article as the documented JSON, and says it is the sandbox first', async () => {
    const res = await runCli(['run', 'momentum', '--articles', '1', '--backtest', '--sandbox', '--json'], env);
    expect(res.code).toBe(0);
    expect(res.stderr.split('\n')[0]).toMatch(/^SANDBOX MODE/);
    const out = JSON.parse(res.stdout) as { runId: string; articles: Array<Record<string, unknown>> };
    expect(out.runId).toMatch(/^pipeline-momentum-[0-9a-f]{7}$/);
    // the run and the article workflow it started wait 5 s, not Temporal's 10, for a workflow task a dead worker held
    const client = await testClient();
    try {
      for (const id of [out.runId, `${out.runId}-a1`]) {
        const { raw } = await client.workflow.getHandle(id).describe();
        expect({ id, seconds: Number(raw.executionConfig?.defaultWorkflowTaskTimeout?.seconds) }).toEqual({ id, seconds: 5 });
      }
    } finally {
      await client.connection.close();
    }
    const a = out.articles[0]!;
    expect(Object.keys(a)).toEqual(expect.arrayContaining(['title', 'doi', 'algorithmPath', 'compiled', 'repairAttempts', 'statistics', 'tokens', 'error']));
    expect(a.compiled).toBe(true);
    expect(a.error).toBeNull();
    expect(Object.keys(a.statistics as object)).toEqual(expect.arrayContaining(['sharpeRatio', 'drawdown', 'compoundingAnnualReturn', 'netProfit', 'winRate', 'totalOrders']));
    expect(a.tokens).toEqual({ input: expect.any(Number), output: expect.any(Number) });
    expect(fs.existsSync(a.algorithmPath as string)).toBe(true);

    const validate = await runCli(['validate', a.algorithmPath as string, '--json'], env);
    expect(validate.code).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, compile: { compiled: true } });

    const backtest = await runCli(['backtest', a.algorithmPath as string, '--start', '2019-01-01', '--end', '2020-12-31', '--json'], env);
    expect(backtest.code).toBe(0);
    const bt = JSON.parse(backtest.stdout) as { backtest: { kind: string; statistics: { sharpeRatio: number } }; check: { code: string } };
    expect(bt.backtest.kind).toBe('completed');
    expect(bt.check.code).toContain('self.set_start_date(2019, 1, 1)');
  }, 120_000);

  it('`run --detach` returns at once, and `runs show` re-attaches to the result', async () => {
    const started = await runCli(['run', 'pairs trading', '--local-only', '--detach', '--json'], env);
    expect(started.code).toBe(0);
    const { runId } = JSON.parse(started.stdout) as { runId: string };
    const shown = await runCli(['runs', 'show', runId, '--json'], env);
    expect(shown.code).toBe(0);
    const out = JSON.parse(shown.stdout) as { status: string; result: { articles: unknown[] } };
    expect(out.status).toBe('completed');
    expect(out.result.articles.length).toBe(1);
  }, 120_000);

  it('`generate` and `runs show` print a faithfulness line per article, and --json carries the report', async () => {
    // every generated algorithm departs from its specification; one attempt leaves no room to repair it
    sandbox.configure({ unfaithfulRate: 1 });
    try {
      const res = await runCli(['generate', 'momentum', '--max-attempts', '1'], env);
      expect(res.code).toBe(0);
      const line = /^\[a\d\] faithfulness: parameters (\d+)\/(\d+), rules (\d+)\/(\d+) — (missing|changed): .+$/m.exec(res.stdout);
      expect(line).not.toBeNull();
      const runId = /^Run (pipeline-\S+)/m.exec(res.stdout)![1]!;
      const shown = await runCli(['runs', 'show', runId], env);
      expect(shown.stdout).toContain(line![0]);
      const json = JSON.parse((await runCli(['runs', 'show', runId, '--json'], env)).stdout) as {
        result: { articles: Array<{ faithfulness: { parameters: Record<string, number>; rules: Record<string, number>; findings: Array<{ item: string }> } }> };
      };
      const report = json.result.articles[0]!.faithfulness;
      expect(Object.keys(report.parameters).sort()).toEqual(['changed', 'matched', 'missing', 'total']);
      expect(Object.keys(report.rules).sort()).toEqual(['implemented', 'missing', 'total']);
      expect(report.findings.length).toBeGreaterThan(0);
      expect(`${report.parameters.matched}/${report.parameters.total} ${report.rules.implemented}/${report.rules.total}`).toBe(`${line![1]}/${line![2]} ${line![3]}/${line![4]}`);
    } finally {
      sandbox.configure({ unfaithfulRate: 0 });
    }
  }, 120_000);

  it('`validate --local-only` fails with the exact syntax error and exit code 1', async () => {
    const file = path.join(home, 'broken.py');
    fs.writeFileSync(file, 'from AlgorithmImports import *\nclass A(QCAlgorithm):\n    def initialize(self)\n        self.set_cash(1000)\n');
    const res = await runCli(['validate', file, '--local-only'], env);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/syntax error/);
    expect(res.stdout).toMatch(/line 3/);
  }, 60_000);

  it('`lint --fix` rewrites PascalCase LEAN API and exits 0 once clean', async () => {
    const file = path.join(home, 'legacy.py');
    fs.writeFileSync(
      file,
      'from AlgorithmImports import *\n\nclass Legacy(QCAlgorithm):\n    def Initialize(self):\n        self.SetStartDate(2020, 1, 1)\n        self.SetCash(100000)\n        self.spy = self.AddEquity("SPY", Resolution.Daily).Symbol\n\n    def OnData(self, data):\n        if not self.Portfolio.Invested:\n            self.SetHoldings(self.spy, 1)\n',
    );
    const res = await runCli(['lint', file, '--fix', '--json'], env);
    const out = JSON.parse(res.stdout) as { fixed: boolean; issues: Array<{ rule: string; fixed: boolean }> };
    expect(out.fixed).toBe(true);
    expect(out.issues.some((i) => i.rule === 'pascal-case-api' && i.fixed)).toBe(true);
    const fixed = fs.readFileSync(file, 'utf8');
    expect(fixed).toContain('def initialize(self):');
    expect(fixed).toContain('self.set_holdings(self.spy, 1)');
    expect(fixed).toContain('Resolution.DAILY');
    expect(res.code).toBe(0);
  }, 60_000);
});
