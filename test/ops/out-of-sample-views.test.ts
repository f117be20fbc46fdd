import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { Client } from '@temporalio/client';
import { chromium, type Browser } from 'playwright-core';
import { startSandbox, type SandboxHandle } from '../../sandbox';
import type { PipelineResult } from '../../domain/pipeline';
import type { EvolutionResult } from '../../workflows/evolution';
import { browserTest, HEADLESS_ARGS } from '../helpers/chromium';
import { ROOT, runCli, startCli, tempHome, waitForExit } from '../helpers/cli';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';
import { momentumAlgorithm } from '../helpers/algorithms';

const BASELINE = momentumAlgorithm();

const { executablePath, browserIt } = browserTest('the HTML report browser test');

const SCREENSHOT = path.join(ROOT, 'test-output', 'evolve-report-holdout.png');

describe('in-sample and out-of-sample figures where the user looks (real CLI, a worker process, the sandbox)', () => {
  let sandbox: SandboxHandle;
  let worker: Awaited<ReturnType<typeof startCli>> | undefined;
  let client: Client;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let runId: string | undefined;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    sandbox.configure({ backtestLatencyMs: 100, compileLatencyMs: 50 });
    home = tempHome({ profile: 'sandbox', sandbox: { url: sandbox.url }, quantconnect: { pollSeconds: 0.1 } });
    env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: uniqueTaskQueue('report') };
    client = await testClient();
    worker = await startCli(['worker'], env, /Worker polling/, 90_000);
  }, 120_000);

  /** One evolution run with a holdout, finished and judged, that several tests read. */
  let judged: Promise<EvolutionResult> | undefined;
  const judgedRun = () =>
    (judged ??= (async () => {
      const baseline = path.join(home, 'baseline.py');
      fs.writeFileSync(baseline, BASELINE);
      const started = await runCli(
        ['evolve', 'start', baseline, '--name', `report-${randomUUID().slice(0, 6)}`, '--generations', '2', '--variants', '2', '--concurrency', '2',
          '--start', '2015-03-02', '--end', '2019-12-31', '--holdout', '0.3', '--folds', '2', '--detach', '--json'],
        env,
      );
      expect(started.code).toBe(0);
      runId = (JSON.parse(started.stdout) as { id: string }).id;
      const result = (await client.workflow.getHandle(runId).result()) as EvolutionResult;
      expect(result.overfitting?.outOfSample).toEqual(expect.objectContaining({ sharpeRatio: expect.any(Number) }));
      expect(result.overfitting?.verdict).not.toBeNull();
      return result;
    })());

  afterAll(async () => {
    if (runId) await client.workflow.getHandle(runId).terminate('test over').catch(() => undefined);
    worker?.child.kill('SIGTERM');
    if (worker) await waitForExit(worker.child);
    await client?.connection.close();
    await sandbox?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  browserIt('renders a holdout run\'s in-sample/out-of-sample charts with data and its verdict, without console errors', async () => {
    if (!executablePath) throw new Error('CI must have Debian\'s chromium: scripts/ci-extras.sh installs it');
    const result = await judgedRun();
    const o = result.overfitting!;

    const out = path.join(home, 'report.html');
    const report = await runCli(['evolve', 'report', runId!, '--output', out], env);
    expect(report.code).toBe(0);

    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath, headless: true, args: HEADLESS_ARGS });
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
      page.on('pageerror', (e) => void problems.push(e.message));
      const requests: string[] = [];
      page.on('request', (r) => void (r.url().startsWith('file:') || requests.push(r.url())));
      await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });

      // the verdict, DSR, PSR and trials are on the page, as the run judged them
      await page.locator('#verdict').waitFor({ state: 'visible' });
      expect(await page.locator('#verdict').innerText()).toBe(`Verdict: ${o.verdict}`);
      expect(await page.locator('#dsr').innerText()).toBe(o.deflatedSharpe!.toFixed(3));
      expect(await page.locator('#psr').innerText()).toBe(o.probabilisticSharpe!.toFixed(3));
      expect(await page.locator('#trials').innerText()).toMatch(new RegExp(`^${o.trials} programs? scored`));
      const sideBySide = await page.locator('table.side-by-side').innerText();
      expect(sideBySide).toContain(`In sample ${o.split!.inSample.start} … ${o.split!.inSample.end}`);
      expect(sideBySide).toContain(`Out of sample ${o.split!.outOfSample.start} … ${o.split!.outOfSample.end}`);

      // the fitness chart has one point per generation in sample, and the final best out of sample
      const section = page.locator('svg[aria-label="Best and mean fitness per generation"]');
      expect(await section.count()).toBe(1);
      expect(await page.locator('#fitness-note').innerText()).toContain('out-of-sample fitness exists only for the final best');
      expect(await section.locator('circle.best').count()).toBe(result.history.filter((h) => h.bestFitness !== null).length);
      const polyline = await section.locator('polyline.best').getAttribute('points');
      expect(polyline!.trim().split(/\s+/)).toHaveLength(result.history.filter((h) => h.bestFitness !== null).length);
      expect(await section.locator('path.oos').count()).toBe(2); // the marker and its legend
      const box = await section.locator('path.oos').first().boundingBox();
      expect(box!.width).toBeGreaterThan(0);

      // the equity curves of the best, one polyline point per recorded day, in sample and on the holdout
      expect(o.equity!.inSample.length).toBeGreaterThan(100);
      expect(o.equity!.outOfSample.length).toBeGreaterThan(50);
      const equity = page.locator('svg.equity-chart');
      const pointsOf = async (cls: string) => (await equity.locator(`polyline.${cls}`).getAttribute('points'))!.trim().split(/\s+/).length;
      expect(await pointsOf('equity-in')).toBe(o.equity!.inSample.length);
      expect(await pointsOf('equity-out')).toBe(o.equity!.outOfSample.length);
      expect((await equity.locator('polyline.equity-out').boundingBox())!.width).toBeGreaterThan(50);
      expect(await page.locator('#return-shape').innerText()).toMatch(o.assumedNormal ? /assume normal daily returns/ : /skewness -?\d+\.\d\d and kurtosis \d+\.\d\d of \d+ daily returns/);

      // walk-forward: one point per fold on its train window, one per fold whose next window was backtested
      const folds = o.walkForward!.folds;
      expect(folds).toHaveLength(2);
      const wf = page.locator('svg.walk-forward-chart');
      expect(await wf.locator('circle.wf-train').count()).toBe(folds.filter((f) => f.trainFitness !== null).length);
      expect(await wf.locator('circle.wf-test').count()).toBe(folds.filter((f) => f.testStatistics !== null).length);
      expect(await wf.locator('circle.wf-test').count()).toBeGreaterThan(0);

      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      const png = fs.readFileSync(SCREENSHOT);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.length).toBeGreaterThan(10_000);
    } finally {
      await browser?.close();
    }
  }, 240_000);
  it('runs show puts an evolution run\'s best in and out of sample side by side with the DSR and verdict, in text and --json', async () => {
    const result = await judgedRun();
    const o = result.overfitting!;
    const text = await runCli(['runs', 'show', runId!], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`In sample ${o.split!.inSample.start}..${o.split!.inSample.end}`);
    expect(text.stdout).toContain(`Out of sample ${o.split!.outOfSample.start}..${o.split!.outOfSample.end}`);
    expect(text.stdout).toContain(`DSR ${o.deflatedSharpe!.toFixed(3)} over ${o.trials} trial`);
    expect(text.stdout).toContain(`verdict: ${o.verdict}`);
    const json = await runCli(['runs', 'show', runId!, '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      inSample: o.inSample,
      outOfSample: o.outOfSample,
      deflatedSharpe: o.deflatedSharpe,
      probabilisticSharpe: o.probabilisticSharpe,
      trials: o.trials,
      verdict: o.verdict,
    });
  }, 240_000);

  it('run --holdout backtests each finished algorithm once on the holdout and its --json articles carry inSample and outOfSample', async () => {
    const holdout = '2018-07-02..2019-12-31';
    const before = sandbox.stats().quantconnect.backtestPeriods?.[holdout] ?? 0;
    const res = await runCli(['run', 'momentum', '--backtest', '--start', '2015-03-02', '--end', '2019-12-31', '--holdout-start', '2018-07-02', '--json'], env, 180_000);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as PipelineResult;
    const a = out.articles[0]!;
    expect(a.error).toBeNull();
    expect(a.split).toEqual({ inSample: { start: '2015-03-02', end: '2018-07-01' }, outOfSample: { start: '2018-07-02', end: '2019-12-31' } });
    expect(a.inSample).toEqual(a.statistics);
    expect(a.outOfSample?.sharpeRatio).toEqual(expect.any(Number));
    expect(a.outOfSample).not.toEqual(a.inSample);
    // exactly one backtest of the holdout, for the one article
    expect((sandbox.stats().quantconnect.backtestPeriods?.[holdout] ?? 0) - before).toBe(1);
    // the written algorithm is the in-sample one
    expect(fs.readFileSync(a.algorithmPath!, 'utf8')).toContain('set_end_date(2018, 7, 1)');
    // the learning database knows which backtest was out of sample, for the family results prompts read
    const db = new Database(path.join(home, 'learning.db'), { readonly: true });
    const rows = db.prepare('SELECT sample, startDate, endDate, sharpeRatio FROM Backtest WHERE runId = ? ORDER BY id').all(out.runId) as Array<{ sample: string; startDate: string; endDate: string; sharpeRatio: number }>;
    db.close();
    expect(rows.filter((r) => r.sample === 'out-of-sample')).toEqual([{ sample: 'out-of-sample', startDate: '2018-07-02', endDate: '2019-12-31', sharpeRatio: a.outOfSample!.sharpeRatio }]);
    expect(rows.filter((r) => r.sample === 'in-sample').map((r) => r.endDate)).toEqual(expect.arrayContaining(['2018-07-01']));
    const shown = await runCli(['runs', 'show', out.runId], env);
    expect(shown.stdout).toContain(`[${a.articleKey}] in sample 2015-03-02..2018-07-01: Sharpe`);
    expect(shown.stdout).toContain('| out of sample 2018-07-02..2019-12-31: Sharpe');
  }, 240_000);

  it('run refuses a holdout without a backtest or without the period, saying what to add', async () => {
    const noBacktest = await runCli(['run', 'momentum', '--start', '2015-03-02', '--end', '2019-12-31', '--holdout', '0.3'], env);
    expect(noBacktest.code).toBe(1);
    expect(noBacktest.stderr).toContain('A holdout is backtested: add --backtest');
    const noPeriod = await runCli(['run', 'momentum', '--backtest', '--holdout', '0.3'], env);
    expect(noPeriod.code).toBe(1);
    expect(noPeriod.stderr).toContain('A holdout needs the backtest period: pass --start and --end');
    const tooLate = await runCli(['run', 'momentum', '--backtest', '--start', '2015-03-02', '--end', '2019-12-31', '--holdout-start', '2030-01-01'], env);
    expect(tooLate.code).toBe(1);
    expect(tooLate.stderr).toContain('--holdout-start 2030-01-01 must be after 2015-03-02');
  });
});
