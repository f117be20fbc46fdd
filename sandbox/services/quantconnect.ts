import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SANDBOX_CREDENTIALS } from '../../domain/services';
import { parseJson, sendJson } from '../http';
import { DEFAULT_END_DATE, DEFAULT_START_DATE, analyseAlgorithm, syntheticStatistics, type SyntheticStatistics } from '../landscape';
import { buildLogs, checkPythonSyntax, programFingerprint, simulateRuntime } from '../lean';
import type { CannedBody, Exchange, SandboxRuntime, SimulatedService } from '../service';
import type { QcBacktestRecord, QcCompileRecord, QcProjectRecord } from '../state';
import { countCompiledProgram } from '../llm/unfaithful';

/**
 * QuantConnect API v2: every call a POST with JSON, real `Timestamp` + Basic-hash auth, and
 * failures as HTTP 200 `{success: false, errors: [...]}`. Compiles run CPython's parser and
 * leave the queue after `compileLatencyMs`; backtests progress over `backtestLatencyMs` and end
 * with the landscape's synthetic statistics, or a runtime error for obviously broken code.
 */

const ORGANIZATION_ID = 'd6d62db48592c72e67b534553413b691';
const NODE_NAME = 'B-MICRO 2 CPU 8 GB';
type Body = Record<string, unknown>;

/** QuantConnect's timestamp format: `2024-01-02 03:04:05`. */
function qcDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** The exact text's hash: a cache key, not a program identity (see `programFingerprint`). */
function textHash(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

function ok(ex: Exchange, body: Body = {}): void {
  sendJson(ex.res, 200, { ...body, success: true, errors: [] });
}

function refuse(ex: Exchange, ...errors: string[]): void {
  sendJson(ex.res, 200, { success: false, errors });
}

// ---------------------------------------------------------------- auth

type AuthVerdict = { ok: true } | { ok: false; message: string };

/** `Authorization: Basic base64(userId:sha256hex(token:timestamp))` with a fresh `Timestamp`. */
export function checkAuth(headers: Exchange['req']['headers'], toleranceSeconds: number, nowMs = Date.now()): AuthVerdict {
  const hashMismatch: AuthVerdict = { ok: false, message: "Hash doesn't match." };
  const basic = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  if (!basic) return hashMismatch;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return hashMismatch;
  const userId = decoded.slice(0, colon);
  const hash = decoded.slice(colon + 1).toLowerCase();
  if (userId !== SANDBOX_CREDENTIALS.quantconnectUserId) return { ok: false, message: 'UserID not valid' };
  const raw = headers.timestamp;
  const timestamp = Array.isArray(raw) ? raw[0] : raw;
  if (!timestamp || !/^\d+$/.test(timestamp)) return hashMismatch;
  // a stale (or far-future) timestamp is refused the same way as a wrong token
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return hashMismatch;
  const expected = createHash('sha256').update(`${SANDBOX_CREDENTIALS.quantconnectApiToken}:${timestamp}`).digest('hex');
  return hash.length === expected.length && timingSafeEqual(Buffer.from(hash), Buffer.from(expected)) ? { ok: true } : hashMismatch;
}

// ---------------------------------------------------------------- projects and files

function newMainPy(name: string): string {
  const cls = name.replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') || 'Project';
  return `# region imports
from AlgorithmImports import *
# endregion

class ${/^[A-Za-z]/.test(cls) ? cls : `Project${cls}`}(QCAlgorithm):

    def initialize(self):
        # Locally Lean installs free sample data, to download more data please visit https://www.quantconnect.com/docs/v2/lean-cli/datasets/downloading-data
        self.set_start_date(2013, 10, 7)  # Set Start Date
        self.set_end_date(2013, 10, 11)  # Set End Date
        self.set_cash(100000)  # Set Strategy Cash
        self.add_equity("SPY", Resolution.MINUTE)

    def on_data(self, data: Slice):
        """on_data event is the primary entry point for your algorithm. Each new data point will be pumped in here.
            Arguments:
                data: Slice object keyed by symbol containing the stock data
        """
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
            self.debug("Purchased Stock")
`;
}

const RESEARCH_NOTEBOOK = JSON.stringify({
  cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['qb = QuantBook()\n', 'spy = qb.add_equity("SPY")\n', 'history = qb.history(qb.securities.keys(), 360, Resolution.DAILY)'] }],
  metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
  nbformat: 4,
  nbformat_minor: 2,
});

function projectJson(p: QcProjectRecord): Body {
  return {
    projectId: p.projectId,
    organizationId: ORGANIZATION_ID,
    name: p.name,
    modified: p.modified,
    created: p.created,
    ownerId: Number(SANDBOX_CREDENTIALS.quantconnectUserId),
    language: p.language,
    collaborators: [{ uid: Number(SANDBOX_CREDENTIALS.quantconnectUserId), liveControl: true, permission: 'write', publicId: 'sandbox_user', profileImage: '', email: 'sandbox@example.org', name: 'Sandbox User', bio: '', owner: true }],
    leanVersionId: 17106,
    leanPinnedToMaster: true,
    owner: true,
    description: '',
    channelId: '',
    parameters: [],
    libraries: [],
    grid: '',
    liveGrid: '',
    paperEquity: null,
    lastLiveDeployment: null,
    liveForm: null,
    encrypted: false,
    codeRunning: false,
    leanEnvironment: 1,
  };
}

function fileJson(f: QcProjectRecord['files'][number]): Body {
  return { name: f.name, content: f.content, modified: f.modified, isLibrary: false };
}

function projectOf(ex: Exchange, body: Body): QcProjectRecord | undefined {
  const id = Number(body.projectId);
  const project = Number.isInteger(id) ? ex.runtime.store.data.projects[String(id)] : undefined;
  if (!project) refuse(ex, body.projectId === undefined ? 'projectId is required' : `Project ${String(body.projectId)} not found`);
  return project;
}

const handlers: Record<string, (ex: Exchange, body: Body) => void | Promise<void>> = {
  authenticate: (ex) => ok(ex),

  'projects/create': (ex, body) => {
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    const language = body.language === undefined ? 'Py' : body.language;
    if (!name) return refuse(ex, 'Project name is required');
    if (language !== 'Py' && language !== 'C#') return refuse(ex, `Language ${String(language)} is not supported; use "Py" or "C#"`);
    const state = ex.runtime.store.data;
    const now = qcDate(Date.now());
    const project: QcProjectRecord = {
      projectId: state.nextProjectId++,
      name,
      language,
      created: now,
      modified: now,
      files: [
        { name: 'main.py', content: newMainPy(name.split('/').pop()!), created: now, modified: now },
        { name: 'research.ipynb', content: RESEARCH_NOTEBOOK, created: now, modified: now },
      ],
    };
    state.projects[String(project.projectId)] = project;
    ex.runtime.stats.quantconnect.projectsCreated++;
    ex.runtime.store.save();
    ok(ex, { projects: [projectJson(project)], versions: [] });
  },

  'projects/read': (ex, body) => {
    if (body.projectId === undefined) {
      const all = Object.values(ex.runtime.store.data.projects).sort((a, b) => a.projectId - b.projectId);
      return ok(ex, { projects: all.map(projectJson), versions: [] });
    }
    const project = projectOf(ex, body);
    if (project) ok(ex, { projects: [projectJson(project)], versions: [] });
  },

  'projects/delete': (ex, body) => {
    const project = projectOf(ex, body);
    if (!project) return;
    const state = ex.runtime.store.data;
    delete state.projects[String(project.projectId)];
    for (const [id, c] of Object.entries(state.compiles)) if (c.projectId === project.projectId) delete state.compiles[id];
    for (const [id, b] of Object.entries(state.backtests)) if (b.projectId === project.projectId) delete state.backtests[id];
    ex.runtime.store.save();
    ok(ex);
  },

  'files/create': (ex, body) => {
    const project = projectOf(ex, body);
    if (!project) return;
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    if (!name) return refuse(ex, 'File name is required');
    if (project.files.some((f) => f.name === name)) return refuse(ex, 'File already exists');
    const now = qcDate(Date.now());
    const file = { name, content: typeof body.content === 'string' ? body.content : '', created: now, modified: now };
    project.files.push(file);
    project.modified = now;
    ex.runtime.stats.quantconnect.filesWritten++;
    ex.runtime.store.save();
    ok(ex, { files: [fileJson(file)] });
  },

  'files/update': (ex, body) => {
    const project = projectOf(ex, body);
    if (!project) return;
    const name = typeof body.name === 'string' ? body.name : typeof body.oldFileName === 'string' ? body.oldFileName : '';
    const file = project.files.find((f) => f.name === name);
    if (!file) return refuse(ex, `File ${name} not found`);
    const now = qcDate(Date.now());
    if (typeof body.newName === 'string' && body.newName.trim()) file.name = body.newName.trim();
    if (typeof body.content === 'string') file.content = body.content;
    file.modified = now;
    project.modified = now;
    ex.runtime.stats.quantconnect.filesWritten++;
    ex.runtime.store.save();
    ok(ex);
  },

  'files/read': (ex, body) => {
    const project = projectOf(ex, body);
    if (!project) return;
    if (typeof body.name === 'string' && body.name) {
      const file = project.files.find((f) => f.name === body.name);
      return file ? ok(ex, { files: [fileJson(file)] }) : refuse(ex, `File ${body.name} not found`);
    }
    ok(ex, { files: project.files.map(fileJson) });
  },

  'files/delete': (ex, body) => {
    const project = projectOf(ex, body);
    if (!project) return;
    const before = project.files.length;
    project.files = project.files.filter((f) => f.name !== body.name);
    if (project.files.length === before) return refuse(ex, `File ${String(body.name)} not found`);
    ex.runtime.store.save();
    ok(ex);
  },

  'compile/create': async (ex, body) => {
    const project = projectOf(ex, body);
    if (!project) return;
    const main = project.files.find((f) => f.name === 'main.py')?.content ?? '';
    const hash = (await programFingerprint(main)).replace(/^\w+:/, '');
    const record: QcCompileRecord = {
      compileId: `${randomBytes(16).toString('hex')}-${hash.slice(0, 32)}`,
      projectId: project.projectId,
      createdMs: Date.now(),
      files: project.files.filter((f) => f.name.endsWith('.py')).map((f) => ({ name: f.name, content: f.content })),
      codeHash: hash,
    };
    ex.runtime.store.data.compiles[record.compileId] = record;
    ex.runtime.stats.quantconnect.compilesCreated++;
    countCompiledProgram(ex.runtime.stats.unfaithful, record.files);
    ex.runtime.store.save();
    runBuild(ex.runtime, record);
    ok(ex, { compileId: record.compileId, state: 'InQueue', projectId: project.projectId, signature: hash, signatureOrder: record.files.map((f) => f.name), logs: [] });
  },

  'compile/read': (ex, body) => {
    const compile = compileOf(ex, body);
    if (!compile) return;
    const { state, logs } = buildState(ex.runtime, compile);
    ok(ex, { compileId: compile.compileId, state, projectId: compile.projectId, signature: compile.codeHash, signatureOrder: compile.files.map((f) => f.name), logs });
  },

  'backtests/create': (ex, body) => {
    const project = projectOf(ex, body);
    if (!project) return;
    const compile = compileOf(ex, body);
    if (!compile) return;
    const { state } = buildState(ex.runtime, compile);
    if (state === 'InQueue') return refuse(ex, `Compile ${compile.compileId} is still in queue; wait for BuildSuccess before creating a backtest`);
    if (state === 'BuildError') return refuse(ex, `Compile ${compile.compileId} failed: fix the build errors before creating a backtest`);
    const nodes = ex.runtime.config.backtestNodes;
    const running = runningBacktests(ex.runtime);
    if (nodes > 0 && running >= nodes) {
      ex.runtime.stats.quantconnect.backtestsRefusedNoNode++;
      ex.runtime.store.saveSoon();
      return refuse(ex, noSpareNodeMessage());
    }
    const parameters: Record<string, string> = {};
    if (body.parameters && typeof body.parameters === 'object') {
      for (const [k, v] of Object.entries(body.parameters as Body)) if (typeof v === 'string' || typeof v === 'number') parameters[k] = String(v);
    }
    const record: QcBacktestRecord = {
      backtestId: randomBytes(16).toString('hex'),
      projectId: project.projectId,
      compileId: compile.compileId,
      name: typeof body.backtestName === 'string' && body.backtestName.trim() ? body.backtestName.trim() : `Backtest ${qcDate(Date.now())}`,
      note: null,
      createdMs: Date.now(),
      parameters,
      latencyMs: ex.runtime.config.backtestLatencyMs,
    };
    const state2 = ex.runtime.store.data;
    state2.backtests[record.backtestId] = record;
    const qc = ex.runtime.stats.quantconnect;
    qc.backtestsCreated++;
    qc.runningBacktestsHighWater = Math.max(qc.runningBacktestsHighWater, running + 1);
    if (!qc.codeHashesBacktested.includes(compile.codeHash)) qc.codeHashesBacktested.push(compile.codeHash);
    // the answer describes the backtest as it was created (queued), however long this request took
    const asCreated = backtestJson(ex.runtime, record, true, record.createdMs);
    const run = asCreated as { backtestStart?: string; backtestEnd?: string };
    const period = `${String(run.backtestStart).slice(0, 10)}..${String(run.backtestEnd).slice(0, 10)}`;
    qc.backtestPeriods ??= {};
    qc.backtestPeriods[period] = (qc.backtestPeriods[period] ?? 0) + 1;
    ex.runtime.store.save();
    ok(ex, { backtest: asCreated, debugging: false });
  },

  'backtests/read': (ex, body) => {
    const backtest = backtestOf(ex, body);
    if (backtest) ok(ex, { backtest: backtestJson(ex.runtime, backtest, true) });
  },

  'backtests/chart/read': (ex, body) => {
    const backtest = backtestOf(ex, body);
    if (!backtest) return;
    const name = typeof body.name === 'string' ? body.name : '';
    if (!name) return refuse(ex, 'name is required: the name of the chart to read');
    for (const key of ['count', 'start', 'end']) if (!Number.isFinite(Number(body[key])) || body[key] === null || body[key] === '') return refuse(ex, `${key} is required`);
    const view = backtestJson(ex.runtime, backtest, false);
    // the chart is generated after the backtest ends, once asked for: the first reads find it still loading
    const reads = (backtest.chartReads = (backtest.chartReads ?? 0) + 1);
    const { chartLoadingReads, chartLoadingMs } = ex.runtime.config;
    const now = Date.now();
    if (view.completed === true) backtest.chartRequestedAt ??= now;
    ex.runtime.store.saveSoon();
    const elapsedMs = backtest.chartRequestedAt === undefined ? 0 : now - backtest.chartRequestedAt;
    if (view.completed !== true || reads <= chartLoadingReads || elapsedMs < chartLoadingMs) {
      const done = view.completed !== true ? 0 : Math.min(reads / (chartLoadingReads + 1), chartLoadingMs > 0 ? elapsedMs / chartLoadingMs : 1);
      return sendJson(ex.res, 200, { progress: Math.round(Math.min(done, 0.99) * 100) / 100, status: 'loading', success: true });
    }
    if (name !== 'Strategy Equity') return refuse(ex, `Chart ${name} not found in backtest ${backtest.backtestId}`);
    const compile = ex.runtime.store.data.compiles[backtest.compileId];
    const code = compile?.files.find((f) => f.name === 'main.py')?.content ?? '';
    ok(ex, { chart: strategyEquityChart(statisticsFor(code, backtest.parameters), view.progress === 1 ? 1 : Number(view.progress), Number(body.start), Number(body.end), Number(body.count)) });
  },

  'backtests/list': (ex, body) => {
    const project = projectOf(ex, body);
    if (!project) return;
    const list = Object.values(ex.runtime.store.data.backtests)
      .filter((b) => b.projectId === project.projectId)
      .sort((a, b) => a.createdMs - b.createdMs)
      .map((b) => backtestJson(ex.runtime, b, body.includeStatistics === true));
    ok(ex, { backtests: list, count: list.length });
  },

  'backtests/update': (ex, body) => {
    const backtest = backtestOf(ex, body);
    if (!backtest) return;
    if (typeof body.name === 'string' && body.name.trim()) backtest.name = body.name.trim();
    if (typeof body.note === 'string') backtest.note = body.note;
    ex.runtime.store.save();
    ok(ex);
  },

  'backtests/delete': (ex, body) => {
    const backtest = backtestOf(ex, body);
    if (!backtest) return;
    delete ex.runtime.store.data.backtests[backtest.backtestId];
    ex.runtime.store.save();
    ok(ex);
  },
};

function compileOf(ex: Exchange, body: Body): QcCompileRecord | undefined {
  const compile = typeof body.compileId === 'string' ? ex.runtime.store.data.compiles[body.compileId] : undefined;
  if (!compile || (body.projectId !== undefined && compile.projectId !== Number(body.projectId))) {
    refuse(ex, body.compileId === undefined ? 'compileId is required' : `Compile id not found: ${String(body.compileId)}`);
    return undefined;
  }
  return compile;
}

function backtestOf(ex: Exchange, body: Body): QcBacktestRecord | undefined {
  const backtest = typeof body.backtestId === 'string' ? ex.runtime.store.data.backtests[body.backtestId] : undefined;
  if (!backtest || (body.projectId !== undefined && backtest.projectId !== Number(body.projectId))) {
    refuse(ex, body.backtestId === undefined ? 'backtestId is required' : `Backtest not found: ${String(body.backtestId)}`);
    return undefined;
  }
  return backtest;
}

// ---------------------------------------------------------------- builds

/** Runs the syntax check of a compile's files and records the result (once per compile). */
export function runBuild(runtime: SandboxRuntime, compile: QcCompileRecord): void {
  if (compile.result) return;
  void Promise.all(compile.files.map(async (f) => ({ file: f.name, verdict: await checkPythonSyntax(f.content) }))).then((results) => {
    const record = runtime.store.data.compiles[compile.compileId];
    if (!record || record.result) return;
    const failed = results.some((r) => !r.verdict.ok);
    record.result = { state: failed ? 'BuildError' : 'BuildSuccess', logs: buildLogs(record.projectId, record.compileId, results) };
    if (failed) runtime.stats.quantconnect.buildErrors++;
    runtime.store.save();
  });
}

function buildState(runtime: SandboxRuntime, compile: QcCompileRecord): { state: 'InQueue' | 'BuildSuccess' | 'BuildError'; logs: string[] } {
  if (!compile.result || Date.now() - compile.createdMs < runtime.config.compileLatencyMs) return { state: 'InQueue', logs: [] };
  return compile.result;
}

// ---------------------------------------------------------------- backtests

const statisticsCache = new Map<string, SyntheticStatistics>();

function statisticsFor(code: string, parameters: Record<string, string>): SyntheticStatistics {
  const key = `${textHash(code)}:${JSON.stringify(parameters)}`;
  let stats = statisticsCache.get(key);
  if (!stats) {
    stats = syntheticStatistics(code, parameters);
    statisticsCache.set(key, stats);
    if (statisticsCache.size > 5000) statisticsCache.delete(statisticsCache.keys().next().value!);
  }
  return stats;
}

/** The backtest as `backtests/read` shows it now: progress is a function of the time since creation. */
function backtestJson(runtime: SandboxRuntime, b: QcBacktestRecord, withResults: boolean, now = Date.now()): Body {
  const compile = runtime.store.data.compiles[b.compileId];
  const code = compile?.files.find((f) => f.name === 'main.py')?.content ?? '';
  const features = analyseAlgorithm(code, b.parameters);
  const failure = simulateRuntime(code);
  const elapsed = now - b.createdMs;
  const queued = b.latencyMs * 0.1;
  const progress = elapsed < queued ? 0 : b.latencyMs <= 0 ? 1 : Math.min(1, (elapsed - queued) / (b.latencyMs - queued));
  const base: Body = {
    name: b.name,
    note: b.note,
    backtestId: b.backtestId,
    projectId: b.projectId,
    organizationId: ORGANIZATION_ID,
    created: qcDate(b.createdMs),
    backtestStart: features.startDate ?? DEFAULT_START_DATE,
    backtestEnd: features.endDate ?? DEFAULT_END_DATE,
    tradeableDates: 1258,
    nodeName: NODE_NAME,
    parameterSet: Object.entries(b.parameters).map(([name, value]) => ({ name, value })),
    outOfSampleMaxEndDate: null,
    outOfSampleDays: 0,
    snapshotId: 0,
    error: null,
    stacktrace: null,
    hasInitializeError: false,
    charts: {},
    rollingWindow: {},
    alphaRuntimeStatistics: null,
  };
  const stats = statisticsFor(code, b.parameters);
  if (failure && elapsed >= queued && progress >= failure.atProgress) {
    return {
      ...base,
      status: 'Runtime Error',
      completed: true,
      progress: Math.round(failure.atProgress * 100) / 100,
      error: failure.error,
      stacktrace: failure.stacktrace,
      hasInitializeError: failure.hasInitializeError,
      statistics: {},
      runtimeStatistics: withResults ? stats.runtimeStatisticsAt(failure.atProgress) : {},
      totalPerformance: null,
    };
  }
  if (elapsed < queued) return { ...base, status: 'In Queue...', completed: false, progress: 0, statistics: [], runtimeStatistics: {}, totalPerformance: null };
  if (progress < 1) {
    return {
      ...base,
      status: `Running: ${Math.floor(progress * 100)}%`,
      completed: false,
      progress: Math.round(progress * 1000) / 1000,
      statistics: [],
      runtimeStatistics: withResults ? stats.runtimeStatisticsAt(progress) : {},
      totalPerformance: null,
    };
  }
  return {
    ...base,
    status: 'Completed.',
    completed: true,
    progress: 1,
    statistics: withResults ? stats.statistics : [],
    runtimeStatistics: withResults ? stats.runtimeStatistics : {},
    totalPerformance: withResults ? stats.totalPerformance : null,
  };
}

/**
 * LEAN's "Strategy Equity" chart of a backtest: the "Equity" series as daily candles
 * `[time, open, high, low, close]` stamped at the midnight after each trading day (the first one
 * the starting cash at the first day's midnight), and the "Return" series of daily returns in
 * percent, both built from the daily returns the backtest's statistics come from. Only points in
 * [start, end] are sent, at most `count` of them (evenly thinned, the last one kept).
 */
function strategyEquityChart(stats: SyntheticStatistics, upTo: number, start: number, end: number, count: number): Body {
  const cash = stats.features.cash;
  const n = Math.round(stats.days.length * Math.min(Math.max(upTo, 0), 1));
  const equity: number[][] = [];
  const returns: number[][] = [];
  let value = cash;
  if (n > 0) equity.push([stats.days[0]! * 86_400, cash, cash, cash, cash]);
  for (let i = 0; i < n; i++) {
    const before = value;
    value = before * (1 + stats.dailyReturns[i]!);
    const t = (stats.days[i]! + 1) * 86_400;
    const cents = (x: number) => Math.round(x * 100) / 100;
    equity.push([t, cents(before), cents(Math.max(before, value)), cents(Math.min(before, value)), cents(value)]);
    returns.push([t, Math.round(stats.dailyReturns[i]! * 1e6) / 1e4]);
  }
  const within = (points: number[][]) => thin(points.filter((p) => p[0]! >= start && p[0]! <= end), count);
  return {
    name: 'Strategy Equity',
    chartType: 0,
    series: {
      Equity: { name: 'Equity', unit: '$', index: 0, seriesType: 2, values: within(equity), color: '', scatterMarkerSymbol: 'none' },
      Return: { name: 'Return', unit: '%', index: 1, seriesType: 3, values: within(returns), color: '', scatterMarkerSymbol: 'none' },
    },
  };
}

/** At most `count` of the points, evenly spread, keeping the first and the last. */
function thin(points: number[][], count: number): number[][] {
  if (!(count >= 1) || points.length <= count) return points;
  if (count === 1) return [points[points.length - 1]!];
  return Array.from({ length: count }, (_, i) => points[Math.round((i * (points.length - 1)) / (count - 1))]!);
}

// ---------------------------------------------------------------- backtesting nodes

/** Backtests of the account that hold a node now: created and not yet finished (completed or failed). */
function runningBacktests(runtime: SandboxRuntime): number {
  const now = Date.now();
  return Object.values(runtime.store.data.backtests).filter((b) => now - b.createdMs < b.latencyMs && backtestJson(runtime, b, false).completed !== true).length;
}

/** QuantConnect's refusal when every backtesting node of the organization is busy (HTTP 200, `success: false`). */
function noSpareNodeMessage(): string {
  return 'No spare nodes available in this organization. Please wait for a running backtest to complete, or add backtesting nodes.';
}

// ---------------------------------------------------------------- the service

export const quantconnectService: SimulatedService = {
  name: 'quantconnect',
  route(method, path) {
    const endpoint = path.replace(/^api\/v2\//, '').replace(/\/+$/, '');
    const handler = handlers[endpoint];
    if (!handler) return { key: 'unknown', handle: (ex) => sendJson(ex.res, 404, { success: false, errors: [`Unknown endpoint: /api/v2/${endpoint}`] }) };
    return {
      key: endpoint,
      handle: async (ex) => {
        if (method !== 'POST') return sendJson(ex.res, 405, { success: false, errors: [`Use POST for /api/v2/${endpoint}`] });
        const verdict = checkAuth(ex.req.headers, ex.runtime.config.timestampToleranceSeconds);
        if (!verdict.ok) {
          ex.runtime.stats.quantconnect.authFailures++;
          ex.runtime.store.saveSoon();
          return refuse(ex, verdict.message);
        }
        const parsed = parseJson(await ex.body());
        if (!parsed.ok) return refuse(ex, 'The request body is not valid JSON');
        const body = parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value) ? (parsed.value as Body) : {};
        await handler(ex, body);
      },
    };
  },
  errorBody(status, message): CannedBody {
    const text = status === 401 ? 'Unauthorized' : status === 429 ? 'Too many requests, please slow down' : status >= 500 ? 'Internal server error, please try again later' : message;
    return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ success: false, errors: [text] }) };
  },
  malformedBody(): CannedBody {
    return { contentType: 'application/json; charset=utf-8', body: '{"backtest":{"backtestId":"5f1c2d3e4a5b6c7d8e9f","status":"Completed.","statistics":{"Sharpe Ratio":"1.2' };
  },
};

/** Restarts syntax checks that a previous run of the sandbox left unfinished. */
export function resumeBuilds(runtime: SandboxRuntime): void {
  for (const compile of Object.values(runtime.store.data.compiles)) if (!compile.result) runBuild(runtime, compile);
}
