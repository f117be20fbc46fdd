import { createHash } from 'node:crypto';
import { QuantConnectClient } from '../../activities/quantconnect';
import { quantconnectAuthHeaders } from '../../domain/quantconnect-auth';
import { createQuantConnectActivities } from '../../activities/quantconnect/activities';
import { AuthenticationError, BacktestNodesBusyError, BadRequestError, MalformedResponseError, RateLimitedError, ServiceUnavailableError } from '../../domain/errors';
import { FakeQuantConnect, QC_TOKEN, QC_USER } from './helpers/fake-quantconnect';
import { rejectionOf, sendJson } from './helpers/server';

const RUNNING = (progress: number) => ({ status: `Running: ${Math.round(progress * 100)}%`, completed: false, progress, statistics: [], runtimeStatistics: { Equity: '$100,000.00' } });
const FINISHED = {
  status: 'Completed.',
  completed: true,
  progress: 1,
  statistics: { 'Sharpe Ratio': '1.234', Drawdown: '2.200%', 'Compounding Annual Return': '27.145%', 'Total Orders': '12', 'Win Rate': '55%', 'Total Fees': '$3.44' },
  runtimeStatistics: { Equity: '$104,272.21', Fees: '-$1.30' },
  totalPerformance: { portfolioStatistics: { compoundingAnnualReturn: '0.2715' }, tradeStatistics: { totalNumberOfTrades: 6 } },
};

describe('QuantConnect API v2 client', () => {
  let qc: FakeQuantConnect;
  let client: QuantConnectClient;

  beforeEach(async () => {
    qc = await new FakeQuantConnect().start();
    client = new QuantConnectClient({ baseUrl: qc.baseUrl, userId: QC_USER, apiToken: QC_TOKEN, timeoutMs: 2000 });
  });
  afterEach(() => qc.server.close());

  it('signs every request with the token hashed against that request\'s own timestamp, as a JSON POST', async () => {
    await client.authenticate();
    await client.createProject('alpha');
    expect(qc.calls()).toHaveLength(2);
    for (const r of qc.calls()) {
      expect(r.method).toBe('POST');
      expect(r.headers['content-type']).toBe('application/json');
      const ts = String(r.headers.timestamp);
      const expected = Buffer.from(`${QC_USER}:${createHash('sha256').update(`${QC_TOKEN}:${ts}`).digest('hex')}`).toString('base64');
      expect(r.headers.authorization).toBe(`Basic ${expected}`);
      expect(r.headers.authorization).not.toContain(QC_TOKEN);
    }
    expect(JSON.parse(qc.calls('projects/create')[0]!.body)).toEqual({ name: 'alpha', language: 'Py' });
    expect(quantconnectAuthHeaders('1', 't', 1_700_000_000_999).Timestamp).toBe('1700000000');
  });

  it('treats "Hash doesn\'t match." in an HTTP 200 answer as a non-retryable authentication error', async () => {
    const bad = new QuantConnectClient({ baseUrl: qc.baseUrl, userId: QC_USER, apiToken: 'wrong-token', timeoutMs: 2000 });
    const err = await rejectionOf(bad.authenticate());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("Hash doesn't match.");
    expect(err.message).not.toContain('wrong-token');
    expect(qc.calls('authenticate')).toHaveLength(1);
  });

  it('treats "UserID not valid" as an authentication error on any endpoint', async () => {
    const bad = new QuantConnectClient({ baseUrl: qc.baseUrl, userId: '7', apiToken: QC_TOKEN, timeoutMs: 2000 });
    await expect(bad.listProjects()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('treats HTTP 401 as an authentication error', async () => {
    qc.override('authenticate', (res) => sendJson(res, 401, { success: false, errors: ['Unauthorized'] }));
    await expect(client.authenticate()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('retries one HTTP 500 on authenticate, like lean-cli', async () => {
    qc.override('authenticate', (res) => sendJson(res, 500, 'oops'));
    await client.authenticate();
    expect(qc.calls('authenticate')).toHaveLength(2);
  });

  it('calls a second HTTP 500 on authenticate an authentication failure and stops there', async () => {
    qc.override('authenticate', (res) => sendJson(res, 500, 'oops'), (res) => sendJson(res, 502, 'oops'));
    const err = await rejectionOf(client.authenticate());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(qc.calls('authenticate')).toHaveLength(2);
  });

  it('reports other success:false messages from errors[], messages[] or Message as bad requests', async () => {
    const err = await rejectionOf(client.readProject(999));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toContain('Project not found: 999');
    qc.override('projects/read', (res) => sendJson(res, 200, { success: false, messages: ['Name is too long'] }));
    expect((await rejectionOf(client.listProjects())).message).toContain('Name is too long');
    qc.override('projects/read', (res) => sendJson(res, 200, { success: false, Message: 'Organization suspended' }));
    const third = await rejectionOf(client.listProjects());
    expect(third).toBeInstanceOf(BadRequestError);
    expect(third.message).toContain('Organization suspended');
  });

  it('treats a clearly transient success:false message as retryable', async () => {
    qc.override('backtests/create', (res) => sendJson(res, 200, { success: false, errors: ['The server is busy, please try again later'] }));
    const err = await rejectionOf(client.createBacktest(1, 'c', 'x'));
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err.retryable).toBe(true);
  });

  it('surfaces HTTP 429 Retry-After as retryAfterMs', async () => {
    qc.override('projects/read', (res) => sendJson(res, 429, { success: false, errors: ['Too many requests'] }, { 'retry-after': '7' }));
    const err = await rejectionOf(client.listProjects());
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterMs).toBe(7000);
  });

  it('maps 5xx, resets, timeouts and malformed bodies to retryable errors', async () => {
    qc.override('projects/read', (res) => sendJson(res, 503, '<html>maintenance</html>'));
    expect(await rejectionOf(client.listProjects())).toBeInstanceOf(ServiceUnavailableError);

    qc.override('projects/read', (_res, raw) => raw.socket.destroy());
    const reset = await rejectionOf(client.listProjects());
    expect(reset).toBeInstanceOf(ServiceUnavailableError);

    qc.override('projects/read', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"success": true, "projects": [');
    });
    const malformed = await rejectionOf(client.listProjects());
    expect(malformed).toBeInstanceOf(MalformedResponseError);
    expect(malformed.retryable).toBe(true);

    qc.override('projects/read', (res) => sendJson(res, 200, { success: true, projects: [{ name: 'no id' }] }));
    expect(await rejectionOf(client.listProjects())).toBeInstanceOf(MalformedResponseError);

    const slow = new QuantConnectClient({ baseUrl: qc.baseUrl, userId: QC_USER, apiToken: QC_TOKEN, timeoutMs: 150 });
    qc.override('projects/read', () => undefined); // never answers
    const timeout = await rejectionOf(slow.listProjects());
    expect(timeout).toBeInstanceOf(ServiceUnavailableError);
    expect(timeout.message).toMatch(/timed out/);
  });

  it('looks a project up by name before creating it, so a repeated activity creates it once', async () => {
    const first = await client.ensureProject('qc-pipeline-abc-step1');
    const second = await client.ensureProject('qc-pipeline-abc-step1');
    expect(first.wasCreated).toBe(true);
    expect(second.wasCreated).toBe(false);
    expect(second.projectId).toBe(first.projectId);
    expect(qc.calls('projects/create')).toHaveLength(1);
    expect(await client.findProjectByName('nope')).toBeNull();
    expect((await client.readProject(first.projectId)).name).toBe('qc-pipeline-abc-step1');
    await client.deleteProject(first.projectId);
    expect(qc.projects).toHaveLength(0);
  });

  it('updates the main.py a new project already has, and leaves identical code alone', async () => {
    const { projectId } = await client.createProject('p');
    expect(await client.uploadMain(projectId, 'print(1)\n')).toBe('updated');
    expect(await client.uploadMain(projectId, 'print(1)\n')).toBe('unchanged');
    expect(qc.calls('files/create')).toHaveLength(0);
    expect(qc.calls('files/update')).toHaveLength(1);
    expect((await client.readFile(projectId, 'main.py'))?.content).toBe('print(1)\n');

    qc.projects[0]!.files.delete('main.py');
    expect(await client.uploadMain(projectId, 'print(2)\n')).toBe('created');
    expect(qc.projects[0]!.files.get('main.py')).toBe('print(2)\n');
  });

  it('returns a build error as a result with its logs (QuantConnect says success:true)', async () => {
    const { projectId } = await client.createProject('p');
    qc.compileStates = ['InQueue', 'InQueue', 'BuildError'];
    qc.compileLogs = ['Build Error: File: main.py Line: 3 Column: 5 - SyntaxError'];
    const states: string[] = [];
    const result = await client.compileAndWait(projectId, { pollMs: 5, timeoutMs: 5000, onPoll: (s) => states.push(s) });
    expect(result).toEqual({ state: 'BuildError', compileId: `c-${projectId}-1`, logs: qc.compileLogs });
    expect(states).toEqual(['InQueue', 'InQueue', 'InQueue', 'BuildError']);
  });

  it('gives up on a compile stuck in the queue with a retryable error', async () => {
    const { projectId } = await client.createProject('p');
    qc.compileStates = ['InQueue'];
    await expect(client.compileAndWait(projectId, { pollMs: 10, timeoutMs: 60 })).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('polls a backtest while statistics is [] and returns the parsed statistics once it completes', async () => {
    const { projectId } = await client.createProject('p');
    const { compileId } = await client.compileAndWait(projectId, { pollMs: 1, timeoutMs: 1000 });
    qc.backtestScript = [{ status: 'In Queue...', completed: false, progress: 0, statistics: [] }, RUNNING(0.45), RUNNING(0.9), FINISHED];
    const created = await client.createBacktest(projectId, compileId, 'pipeline-abc-bt1', { fast: 10, slow: 50 });
    expect(JSON.parse(qc.calls('backtests/create')[0]!.body)).toEqual({
      projectId,
      compileId,
      backtestName: 'pipeline-abc-bt1',
      parameters: { fast: 10, slow: 50 },
    });
    const progress: Array<[number, string]> = [];
    const outcome = await client.pollBacktest(projectId, created.backtestId, { pollMs: 5, onProgress: (p, s) => progress.push([p, s]) });
    expect(progress).toEqual([
      [0, 'In Queue...'],
      [0.45, 'Running: 45%'],
      [0.9, 'Running: 90%'],
      [1, 'Completed.'],
    ]);
    if (outcome.kind !== 'completed') throw new Error(`expected completed, got ${outcome.kind}`);
    expect(outcome.statistics).toMatchObject({ sharpeRatio: 1.234, drawdown: 2.2, compoundingAnnualReturn: 27.145, totalOrders: 12, winRate: 55, totalFees: 3.44 });
    expect(outcome.runtimeStatistics.Fees).toBe('-$1.30');
    expect(outcome.totalPerformance?.portfolioStatistics.compoundingAnnualReturn).toBe(0.2715);
    expect((await client.findBacktestByName(projectId, 'pipeline-abc-bt1'))?.backtestId).toBe(created.backtestId);
    expect(await client.findBacktestByName(projectId, 'pipeline-abc-bt2')).toBeNull();
  });

  it('reports a runtime error with its stack trace as an outcome, not a failure', async () => {
    const { projectId } = await client.createProject('p');
    qc.backtestScript = [
      RUNNING(0.1),
      { status: 'Runtime Error', completed: true, progress: 0.2, error: "Runtime Error: 'NoneType' object has no attribute 'close'", stacktrace: '  at on_data\n    main.py:line 42' },
    ];
    const { backtestId } = await client.createBacktest(projectId, 'c', 'bt');
    const outcome = await client.pollBacktest(projectId, backtestId, { pollMs: 5 });
    expect(outcome).toMatchObject({ kind: 'runtimeError', backtestId, error: expect.stringContaining('NoneType'), stacktrace: expect.stringContaining('main.py:line 42') });
  });

  it('does not mistake a completed flag with statistics still [] for a finished backtest', async () => {
    const { projectId } = await client.createProject('p');
    qc.backtestScript = [{ status: 'Completed.', completed: true, progress: 1, statistics: [] }, FINISHED];
    const { backtestId } = await client.createBacktest(projectId, 'c', 'bt');
    const outcome = await client.pollBacktest(projectId, backtestId, { pollMs: 5 });
    expect(outcome.kind).toBe('completed');
    expect(qc.calls('backtests/read')).toHaveLength(2);
    await client.deleteBacktest(projectId, backtestId);
    expect(await client.listBacktests(projectId)).toEqual([]);
  });
});

describe('QuantConnect client: full accounts and list shapes', () => {
  let qc: FakeQuantConnect;
  let client: QuantConnectClient;

  beforeEach(async () => {
    qc = await new FakeQuantConnect().start();
    client = new QuantConnectClient({ baseUrl: qc.baseUrl, userId: QC_USER, apiToken: QC_TOKEN, timeoutMs: 2000 });
  });
  afterEach(() => qc.server.close());

  const nodesBusy = (res: Parameters<Parameters<FakeQuantConnect['override']>[1]>[0]) =>
    sendJson(res, 200, { success: false, errors: ['No spare nodes available in this organization. Please wait for a backtest to finish.'] });

  it('calls a refusal for want of a free backtest node a retryable "nodes busy" error with a next-retry delay', async () => {
    const { projectId } = await client.createProject('full-account');
    qc.override('backtests/create', nodesBusy);
    const err = await rejectionOf(client.createBacktest(projectId, 'c-1', 'bt'));
    expect(err).toBeInstanceOf(BacktestNodesBusyError);
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBeGreaterThan(0);
  });

  it('waits for a free node and then starts exactly one backtest, instead of failing the step', async () => {
    const { projectId } = await client.createProject('full-account');
    const { compileId } = await client.compileAndWait(projectId, { pollMs: 1, timeoutMs: 1000 });
    qc.override('backtests/create', nodesBusy);
    qc.override('backtests/create', nodesBusy);
    qc.backtestScript = [FINISHED];
    const activities = createQuantConnectActivities({ quantconnect: () => client, pollMs: 1, compileTimeoutMs: 1000, nodeWaitMs: 5 });
    const result = await activities.runBacktest({ projectId, compileId, label: 'waits-for-a-node', codeHash: 'ab12'.repeat(16) });
    expect(result.kind).toBe('completed');
    expect(qc.calls('backtests/create')).toHaveLength(3);
    expect(qc.backtests.size).toBe(1);
  });

  it('reads backtests/list under either "backtests" or "backtest"', async () => {
    const entry = { backtestId: 'b1', name: 'one', status: 'Completed.', completed: true, progress: 1 };
    qc.override('backtests/list', (res) => sendJson(res, 200, { success: true, errors: [], backtests: [entry] }));
    qc.override('backtests/list', (res) => sendJson(res, 200, { success: true, errors: [], backtest: [entry] }));
    expect((await client.listBacktests(1)).map((b) => b.backtestId)).toEqual(['b1']);
    expect((await client.listBacktests(1)).map((b) => b.backtestId)).toEqual(['b1']);
  });

  it('calls a backtests/list answer without a list malformed, never an empty list', async () => {
    qc.override('backtests/list', (res) => sendJson(res, 200, { success: true, errors: [], count: 0 }));
    await expect(client.listBacktests(1)).rejects.toBeInstanceOf(MalformedResponseError);
  });
});
