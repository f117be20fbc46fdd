import { QuantConnectClient } from '../../activities/quantconnect';
import { MalformedResponseError } from '../../domain/errors';
import { FakeQuantConnect, QC_TOKEN, QC_USER } from './helpers/fake-quantconnect';
import { rejectionOf, sendJson } from './helpers/server';

describe('QuantConnect equity chart client', () => {
  let qc: FakeQuantConnect;
  let client: QuantConnectClient;
  beforeEach(async () => {
    qc = await new FakeQuantConnect().start();
    client = new QuantConnectClient({ baseUrl: qc.baseUrl, userId: QC_USER, apiToken: QC_TOKEN, timeoutMs: 2000 });
  });
  afterEach(() => qc.server.close());

  const range = { start: 1_577_836_800, end: 1_609_459_200, count: 400 };

  it('asks for the Strategy Equity chart with every field, and polls through both forms of "loading"', async () => {
    qc.override(
      'backtests/chart/read',
      (res) => sendJson(res, 200, { progress: 0.4, status: 'loading', success: true }),
      (res) => sendJson(res, 200, { success: false, errors: ['Chart is loading, please try again in a few seconds.'] }),
      (res) =>
        sendJson(res, 200, {
          success: true,
          errors: [],
          chart: {
            name: 'Strategy Equity',
            series: {
              Return: { name: 'Return', values: [[1_577_923_200, 1.5]] },
              Equity: { name: 'Equity', values: [[1_577_836_800, 100, 100, 100, 100], [1_577_923_200_000, 100, 102, 99, 101.5], { x: 1_578_009_600, y: 103 }, [1_578_096_000, null]] },
            },
          },
        }),
    );
    const loading: number[] = [];
    const points = await client.readEquityChart(7, 'bt1', range, { pollMs: 5, timeoutMs: 5000, onLoading: (p) => loading.push(p) });
    expect(loading).toEqual([0.4, 0]);
    // candles give their close, milliseconds become seconds, {x, y} is read, an unusable point is dropped
    expect(points).toEqual([
      { time: 1_577_836_800, value: 100 },
      { time: 1_577_923_200, value: 101.5 },
      { time: 1_578_009_600, value: 103 },
    ]);
    const asked = qc.calls('backtests/chart/read').map((r) => JSON.parse(r.body));
    expect(asked).toHaveLength(3);
    expect(asked[0]).toEqual({ projectId: 7, backtestId: 'bt1', name: 'Strategy Equity', ...range });
  });

  it('calls a chart without an equity series, or an answer with neither chart nor loading status, malformed', async () => {
    qc.override(
      'backtests/chart/read',
      (res) => sendJson(res, 200, { success: true, chart: { name: 'Strategy Equity', series: { Return: { values: [] } } } }),
      (res) => sendJson(res, 200, { success: true, errors: [] }),
    );
    expect(await rejectionOf(client.readEquityChart(7, 'bt1', range, { pollMs: 5, timeoutMs: 5000 }))).toBeInstanceOf(MalformedResponseError);
    expect(await rejectionOf(client.readEquityChart(7, 'bt1', range, { pollMs: 5, timeoutMs: 5000 }))).toBeInstanceOf(MalformedResponseError);
  });
});
