import { startSandbox, type SandboxHandle } from '../../sandbox';
import { planParameters, renderAlgorithm } from '../../sandbox/llm/templates';
import { QuantConnectClient } from '../../activities/quantconnect';
import { createQuantConnectActivities } from '../../activities/quantconnect/activities';
import { BadRequestError, ServiceUnavailableError } from '../../domain/errors';
import { SANDBOX_CREDENTIALS } from '../../domain/services';
import { eventually, qc } from './helpers';

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await startSandbox({ config: { compileLatencyMs: 30, backtestLatencyMs: 300, chartLoadingReads: 2 } });
});
afterAll(() => sandbox.stop());

const code = (start: string, end: string) =>
  renderAlgorithm({ family: 'momentum', title: 'Chart test', parameters: planParameters('momentum', {}), extraParameters: [], tickers: [], resolution: 'daily' })
    .replace(/self\.set_start_date\([^)]*\)/, `self.set_start_date(${start.split('-').map(Number).join(', ')})`)
    .replace(/self\.set_end_date\([^)]*\)/, `self.set_end_date(${end.split('-').map(Number).join(', ')})`);

/** Runs `main` to a finished backtest through the raw API; returns its ids and statistics. */
async function backtest(main: string): Promise<{ projectId: number; backtestId: string; statistics: Record<string, string> }> {
  const projectId = (await qc(sandbox.url, 'projects/create', { name: `chart-${Math.random()}`, language: 'Py' })).json.projects[0].projectId as number;
  await qc(sandbox.url, 'files/update', { projectId, name: 'main.py', content: main });
  const compileId = (await qc(sandbox.url, 'compile/create', { projectId })).json.compileId as string;
  await eventually(async () => ((await qc(sandbox.url, 'compile/read', { projectId, compileId })).json.state === 'BuildSuccess' ? true : undefined));
  const backtestId = (await qc(sandbox.url, 'backtests/create', { projectId, compileId, backtestName: 'chart' })).json.backtest.backtestId as string;
  const done = await eventually(async () => {
    const b = (await qc(sandbox.url, 'backtests/read', { projectId, backtestId })).json.backtest;
    return b.completed && !Array.isArray(b.statistics) ? b : undefined;
  });
  return { projectId, backtestId, statistics: done.statistics as Record<string, string> };
}

const client = () =>
  new QuantConnectClient({ baseUrl: `${sandbox.url}/quantconnect/api/v2`, userId: SANDBOX_CREDENTIALS.quantconnectUserId, apiToken: SANDBOX_CREDENTIALS.quantconnectApiToken, timeoutMs: 5000 });

describe('the Strategy Equity chart', () => {
  it('answers "loading" at first, then daily candles whose returns are the ones the statistics come from', async () => {
    const { projectId, backtestId, statistics } = await backtest(code('2020-01-01', '2021-12-31'));
    const request = { projectId, backtestId, name: 'Strategy Equity', count: 1000, start: 0, end: 2_000_000_000 };
    for (let i = 0; i < 2; i++) {
      const loading = await qc(sandbox.url, 'backtests/chart/read', request);
      expect(loading.json).toMatchObject({ success: true, status: 'loading' });
      expect(loading.json.chart).toBeUndefined();
    }
    const { json } = await qc(sandbox.url, 'backtests/chart/read', request);
    expect(json.success).toBe(true);
    const candles = json.chart.series.Equity.values as number[][];
    expect(candles[0]).toHaveLength(5);
    // computed here from the candles' closes: the Sharpe ratio, net profit and end equity the statistics state
    const closes = candles.map((c) => c[4]!);
    const returns = closes.slice(1).map((v, i) => v / closes[i]! - 1);
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1));
    expect((mean / sd) * Math.sqrt(252)).toBeCloseTo(Number(statistics['Sharpe Ratio']), 2);
    expect(closes[closes.length - 1]).toBeCloseTo(Number(statistics['End Equity']), 0);
    expect(returns.length).toBe(523); // weekdays of 2020 and 2021
    // the same chart, asked for fewer points and a shorter range
    const thin = await qc(sandbox.url, 'backtests/chart/read', { ...request, count: 10, start: Date.UTC(2021, 0, 1) / 1000 });
    const few = thin.json.chart.series.Equity.values as number[][];
    expect(few).toHaveLength(10);
    expect(few[0]![0]).toBeGreaterThanOrEqual(Date.UTC(2021, 0, 1) / 1000);
    expect(few[9]).toEqual(candles[candles.length - 1]);
  }, 30_000);

  it('refuses a request without its required fields, and an unknown chart, as QuantConnect does (HTTP 200, success false)', async () => {
    const { projectId, backtestId } = await backtest(code('2020-01-01', '2020-12-31'));
    const missing = await qc(sandbox.url, 'backtests/chart/read', { projectId, backtestId, name: 'Strategy Equity' });
    expect(missing).toMatchObject({ status: 200, json: { success: false } });
    await expect(client().readEquityChart(projectId, backtestId, { start: 0, end: 2_000_000_000, count: 500 }, { pollMs: 10, timeoutMs: 5000 })).resolves.toHaveLength(263);
    await expect(client().readBacktestChart(projectId, backtestId, { name: 'Nonexistent', count: 10, start: 0, end: 2_000_000_000 })).rejects.toBeInstanceOf(BadRequestError);
  }, 30_000);

  it('is read by the client through the loading answers, and by the activity as one close per day', async () => {
    const { projectId, backtestId } = await backtest(code('2019-01-01', '2019-06-30'));
    const loads: number[] = [];
    const points = await client().readEquityChart(projectId, backtestId, { start: 0, end: 2_000_000_000, count: 1000 }, { pollMs: 10, timeoutMs: 5000, onLoading: (p) => loads.push(p) });
    expect(loads).toHaveLength(2);
    expect(points.length).toBe(1 + 129); // the starting equity, then one close per weekday
    const { projectId: p2, backtestId: b2 } = await backtest(code('2019-01-01', '2019-03-31'));
    const activities = createQuantConnectActivities({ quantconnect: client, pollMs: 10, compileTimeoutMs: 5000 });
    const { equity } = await activities.readEquityCurve({ projectId: p2, backtestId: b2, start: '2019-01-01', end: '2019-03-31' });
    expect(equity[0]).toEqual({ t: '2019-01-01', v: 100000 });
    expect(equity.every((p, i) => i === 0 || p.t > equity[i - 1]!.t)).toBe(true);
    expect(equity).toHaveLength(1 + 64);
  }, 30_000);

  it('is generated once asked for, taking chartLoadingMs, and the client reads it soon after, not a whole poll interval after', async () => {
    const setConfig = (c: Record<string, number>) => fetch(`${sandbox.url}/__sandbox/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
    await setConfig({ chartLoadingReads: 0, chartLoadingMs: 300 });
    try {
      // the service: loading until 300 ms after the first read, with a progress that grows with the time
      const first = await backtest(code('2020-01-01', '2020-06-30'));
      const request = { projectId: first.projectId, backtestId: first.backtestId, name: 'Strategy Equity', count: 100, start: 0, end: 2_000_000_000 };
      // the service's clock starts between these two instants: before the first read is sent, after its answer came
      const sent = Date.now();
      const loading = (await qc(sandbox.url, 'backtests/chart/read', request)).json;
      const answered = Date.now();
      expect(loading).toMatchObject({ status: 'loading', success: true });
      await new Promise((r) => setTimeout(r, 100));
      const later = (await qc(sandbox.url, 'backtests/chart/read', request)).json;
      if (Date.now() - sent < 300) {
        expect(later.status).toBe('loading');
        expect(later.progress).toBeGreaterThan(loading.progress);
        expect(later.progress).toBeLessThan(1);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 310 - (Date.now() - answered))));
      expect((await qc(sandbox.url, 'backtests/chart/read', request)).json.chart.series.Equity.values.length).toBeGreaterThan(0);

      // the client, polling every 3 s as QuantConnect's default does, on a chart that takes 0.9 s:
      // its second read comes after an eighth of that (0.375 s: loading still), its third a quarter
      // later (1.125 s: ready), where reading at the poll interval would have taken 3 s
      await setConfig({ chartLoadingMs: 900 });
      const second = await backtest(code('2020-01-01', '2020-06-30'));
      const loads: number[] = [];
      const started = Date.now();
      const points = await client().readEquityChart(second.projectId, second.backtestId, { start: 0, end: 2_000_000_000, count: 100 }, { pollMs: 3000, timeoutMs: 30_000, onLoading: (p) => loads.push(p) });
      const tookMs = Date.now() - started;
      expect(points.length).toBeGreaterThan(0);
      expect(loads).toHaveLength(2);
      expect(loads[1]).toBeGreaterThan(loads[0]!);
      expect(tookMs).toBeGreaterThanOrEqual(900);
      expect(tookMs).toBeLessThan(3000);
    } finally {
      await setConfig({ chartLoadingReads: 2, chartLoadingMs: 0 });
    }
  }, 30_000);

  it('gives up retryably when the chart is still loading after the time allowed', async () => {
    const { projectId, backtestId } = await backtest(code('2020-01-01', '2020-03-31'));
    await fetch(`${sandbox.url}/__sandbox/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chartLoadingReads: 1000 }) });
    try {
      const err = await client()
        .readEquityChart(projectId, backtestId, { start: 0, end: 2_000_000_000, count: 100 }, { pollMs: 20, timeoutMs: 100 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceUnavailableError);
      expect((err as ServiceUnavailableError).retryable).toBe(true);
    } finally {
      await fetch(`${sandbox.url}/__sandbox/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chartLoadingReads: 2 }) });
    }
  }, 30_000);
});
