import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import {
  AuthenticationError,
  BacktestNodesBusyError,
  BadRequestError,
  MalformedResponseError,
  QuantCoderError,
  RateLimitedError,
  ServiceUnavailableError,
} from '../../domain/errors';
import {
  parseBacktestStatistics,
  parseTotalPerformance,
  type BacktestStatistics,
  type TotalPerformance,
} from '../../domain/statistics';
import { errorForNetwork, errorForStatus, request } from '../http';
import { quantconnectAuthHeaders } from '../../domain/quantconnect-auth';
import { BacktestPollClock, backoffWait } from './polling';

const SERVICE = 'quantconnect';

export interface QuantConnectClientOptions {
  /** `https://www.quantconnect.com/api/v2`, or the sandbox's `/quantconnect/api/v2`. */
  baseUrl: string;
  userId: string;
  apiToken: string;
  /** Per-request timeout (headers and body). */
  timeoutMs: number;
  userAgent?: string;
  dispatcher?: Dispatcher;
}

export interface QcProject {
  projectId: number;
  name: string;
  language: string | null;
  created: string | null;
  modified: string | null;
}

export interface QcFile {
  name: string;
  content: string;
  modified: string | null;
}

export type QcCompileState = 'InQueue' | 'BuildSuccess' | 'BuildError';

export interface QcCompile {
  compileId: string;
  /** A {@link QcCompileState}; any other string QuantConnect may add is passed through as it comes. */
  state: string;
  logs: string[];
}

export interface QcBacktest {
  backtestId: string;
  name: string;
  /** `"In Queue..."`, `"Running: 45%"`, `"Completed."`, `"Runtime Error"`, … */
  status: string;
  completed: boolean;
  /** 0–1. */
  progress: number;
  error: string | null;
  stacktrace: string | null;
  hasInitializeError: boolean;
  /** Null while the backtest runs (QuantConnect sends `[]` then). */
  statistics: Record<string, string> | null;
  runtimeStatistics: Record<string, string> | null;
  totalPerformance: unknown;
}

export interface CompileResult {
  state: 'BuildSuccess' | 'BuildError';
  compileId: string;
  logs: string[];
}

export type BacktestOutcome =
  | {
      kind: 'completed';
      backtestId: string;
      name: string;
      status: string;
      statistics: BacktestStatistics;
      runtimeStatistics: Record<string, string>;
      totalPerformance: TotalPerformance | null;
    }
  | {
      kind: 'runtimeError';
      backtestId: string;
      name: string;
      status: string;
      /** LEAN's error message (or the status when only `hasInitializeError` was set). */
      error: string;
      stacktrace: string | null;
    };

/** One point of a chart series: Unix seconds and the value (a candle's close). */
export interface QcChartPoint {
  time: number;
  value: number;
}

/** A chart of a backtest as `backtests/chart/read` gives it once generated: its series by name. */
export interface QcChart {
  name: string;
  series: Record<string, QcChartPoint[]>;
}

/** `backtests/chart/read` answers "loading" while QuantConnect generates the chart: ask again. */
export type QcChartAnswer = { kind: 'loading'; progress: number } | { kind: 'chart'; chart: QcChart };

export interface ChartWaitOptions extends CallOptions {
  pollMs: number;
  /** Give up (retryably) when the chart is still loading after this long. */
  timeoutMs: number;
  /** Called after every "loading" answer (heartbeat here). */
  onLoading?: (progress: number) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface CompileWaitOptions extends CallOptions {
  pollMs: number;
  timeoutMs: number;
  /** Called after every poll (heartbeat here). */
  onPoll?: (state: string) => void;
}

export interface BacktestPollOptions extends CallOptions {
  pollMs: number;
  /** Give up (retryably) after this long; unlimited when absent (a heartbeat timeout guards the worker). */
  timeoutMs?: number;
  /** Called after every poll with progress 0–1 and QuantConnect's status text (heartbeat here). */
  onProgress?: (progress: number, status: string) => void;
}

// ---- response shapes (lenient: QuantConnect adds fields freely) ----

const id = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v === undefined || v === null || v.trim() === '' ? null : v));

const projectSchema = z
  .looseObject({
    projectId: id,
    name: z.string(),
    language: z.string().nullish(),
    created: z.string().nullish(),
    modified: z.string().nullish(),
  })
  .transform(
    (p): QcProject => ({
      projectId: p.projectId,
      name: p.name,
      language: p.language ?? null,
      created: p.created ?? null,
      modified: p.modified ?? null,
    }),
  );
const projectsSchema = z.looseObject({ projects: z.array(projectSchema).default([]) });

const fileSchema = z
  .looseObject({ name: z.string(), content: z.string().nullish(), modified: z.string().nullish() })
  .transform((f): QcFile => ({ name: f.name, content: f.content ?? '', modified: f.modified ?? null }));
const filesSchema = z.looseObject({ files: z.array(fileSchema).default([]) });

const compileSchema = z
  .looseObject({
    compileId: z.string().min(1),
    state: z.string().min(1),
    logs: z.array(z.unknown()).nullish(),
  })
  .transform((c): QcCompile => ({ compileId: c.compileId, state: c.state, logs: (c.logs ?? []).map((l) => (typeof l === 'string' ? l : JSON.stringify(l))) }));

/** `statistics` is `[]` while running, an object once done. */
const statsMap = z.unknown().optional().transform((v): Record<string, string> | null => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = typeof val === 'string' ? val : val === null || val === undefined ? '' : String(val);
  return out;
});

const backtestSchema = z
  .looseObject({
    backtestId: z.string().min(1),
    name: z.string().nullish(),
    status: z.string().nullish(),
    completed: z.boolean().nullish(),
    progress: z.union([z.number(), z.string()]).nullish(),
    error: optionalText,
    stacktrace: optionalText,
    hasInitializeError: z.boolean().nullish(),
    statistics: statsMap,
    runtimeStatistics: statsMap,
    totalPerformance: z.unknown().optional(),
  })
  .transform(
    (b): QcBacktest => ({
      backtestId: b.backtestId,
      name: b.name ?? '',
      status: b.status ?? '',
      completed: b.completed ?? false,
      progress: clampProgress(b.progress),
      error: b.error,
      stacktrace: b.stacktrace,
      hasInitializeError: b.hasInitializeError ?? false,
      statistics: b.statistics,
      runtimeStatistics: b.runtimeStatistics,
      totalPerformance: b.totalPerformance ?? null,
    }),
  );

/**
 * A chart series value: `[time, value]`, a candle `[time, open, high, low, close]` (the close is
 * taken), or the older `{x, y}` object. Times in milliseconds are brought to seconds.
 */
function chartPoint(raw: unknown): QcChartPoint | null {
  let time: unknown;
  let value: unknown;
  if (Array.isArray(raw)) [time, value] = [raw[0], raw[raw.length - 1]];
  else if (raw && typeof raw === 'object') [time, value] = [(raw as { x?: unknown }).x, (raw as { y?: unknown }).y];
  const [t, v] = [Number(time), Number(value)];
  if (time === null || value === null || !Number.isFinite(t) || !Number.isFinite(v) || (Array.isArray(raw) && raw.length < 2)) return null;
  return { time: t > 1e11 ? Math.floor(t / 1000) : t, value: v };
}

const chartSeriesSchema = z.looseObject({ name: z.string().nullish(), values: z.array(z.unknown()).nullish() });
const chartAnswerSchema = z.looseObject({
  status: z.string().nullish(),
  progress: z.union([z.number(), z.string()]).nullish(),
  chart: z
    .looseObject({
      name: z.string().nullish(),
      series: z.union([z.record(z.string(), chartSeriesSchema), z.array(chartSeriesSchema)]).nullish(),
    })
    .nullish(),
});

const envelopeSchema = z.looseObject({});

function clampProgress(p: number | string | null | undefined): number {
  const n = typeof p === 'string' ? Number(p) : p;
  if (typeof n !== 'number' || !Number.isFinite(n)) return 0;
  return Math.min(1, Math.max(0, n));
}

// ---- failure classification ----

const AUTH_MESSAGE = /hash doesn.?t match|user ?id not valid|invalid (api )?token|not authori[sz]ed|authentication failed/i;
const RATE_MESSAGE = /too many requests|rate limit/i;
const TRANSIENT_MESSAGE = /try again|temporar|timed? ?out|unavailable|internal (server )?error|server is busy|overloaded/i;
/** Every backtest node of the account is in use ("No spare nodes available in this organization", …). */
const NODES_BUSY_MESSAGE = /spare nodes?|no (free|idle|available) (backtest(ing)? )?nodes?|nodes? (are )?(all )?(busy|in use)|all (of your )?(backtest(ing)? )?nodes/i;

/** How long to wait for a backtest node when QuantConnect says none is free. */
export const NODE_WAIT_MS = 15_000;

/** Collects QuantConnect's failure messages from `errors[]`, `messages[]` or `Message`. */
export function quantconnectMessages(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  const out: string[] = [];
  for (const key of ['errors', 'messages']) {
    const list = b[key];
    if (Array.isArray(list)) for (const m of list) if (typeof m === 'string' && m.trim()) out.push(m.trim());
  }
  for (const key of ['Message', 'message', 'error']) {
    const m = b[key];
    if (typeof m === 'string' && m.trim()) out.push(m.trim());
  }
  return [...new Set(out)];
}

function failureFor(endpoint: string, messages: string[]): QuantCoderError {
  const detail = messages.length ? messages.join('; ') : 'no message';
  const what = `QuantConnect ${endpoint} failed: ${detail.slice(0, 500)}`;
  if (messages.some((m) => AUTH_MESSAGE.test(m))) {
    return new AuthenticationError(`${what} (check the QuantConnect user id and API token, and the machine's clock)`, { service: SERVICE });
  }
  if (messages.some((m) => RATE_MESSAGE.test(m))) return new RateLimitedError(what, { service: SERVICE });
  if (messages.some((m) => NODES_BUSY_MESSAGE.test(m))) return new BacktestNodesBusyError(what, { service: SERVICE, retryAfterMs: NODE_WAIT_MS });
  if (messages.some((m) => TRANSIENT_MESSAGE.test(m))) return new ServiceUnavailableError(what, { service: SERVICE });
  return new BadRequestError(what, { service: SERVICE });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
}

async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw abortReason(signal);
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw abortReason(signal);
    throw err;
  }
}

/**
 * QuantConnect API v2. Every call is a POST with a JSON body and fresh authentication headers;
 * `success: false` is a failure whatever the HTTP status. The higher-level helpers
 * (`ensureProject`, `uploadMain`, `compileAndWait`, `findBacktestByName`, `pollBacktest`) are
 * safe to repeat, because activities run at least once.
 */
export class QuantConnectClient {
  private readonly baseUrl: string;

  constructor(private readonly options: QuantConnectClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** One API call: POST, auth headers, typed errors, response shape checked against `schema`. */
  private async call<S extends z.ZodType>(endpoint: string, body: Record<string, unknown>, schema: S, opts: CallOptions = {}): Promise<z.output<S>> {
    const headers: Record<string, string> = {
      ...quantconnectAuthHeaders(this.options.userId, this.options.apiToken),
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    let status: number;
    let responseHeaders: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const res = await request(`${this.baseUrl}/${endpoint}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        signal: opts.signal,
        dispatcher: this.options.dispatcher,
      });
      status = res.statusCode;
      responseHeaders = res.headers;
      text = await res.body.text();
    } catch (err) {
      throw errorForNetwork(SERVICE, err);
    }

    let json: unknown;
    let parsed = false;
    try {
      json = JSON.parse(text);
      parsed = true;
    } catch {
      // judged below: an error status wins over a body that is not JSON
    }
    const messages = parsed ? quantconnectMessages(json) : [];
    if (status === 429 || status >= 500 || status === 408) {
      throw errorForStatus(SERVICE, status, responseHeaders, messages.join('; ') || text.slice(0, 200));
    }
    if (parsed && json && typeof json === 'object' && (json as { success?: unknown }).success === false) {
      if (status === 401 || status === 403) throw errorForStatus(SERVICE, status, responseHeaders, messages.join('; '));
      throw failureFor(endpoint, messages);
    }
    if (status >= 400) throw errorForStatus(SERVICE, status, responseHeaders, messages.join('; ') || text.slice(0, 200));
    if (!parsed) throw new MalformedResponseError(`QuantConnect ${endpoint} answered with malformed JSON: ${text.slice(0, 80)}`, { service: SERVICE });
    const result = schema.safeParse(json);
    if (!result.success) {
      throw new MalformedResponseError(`QuantConnect ${endpoint} answered in an unexpected shape (${firstIssue(result.error, 'body')})`, { service: SERVICE });
    }
    return result.data;
  }

  /**
   * Checks the credentials. A refused hash or user id is a non-retryable AuthenticationError.
   * Like lean-cli, one HTTP 5xx is retried; a second is reported as an authentication failure.
   */
  async authenticate(opts: CallOptions = {}): Promise<void> {
    try {
      await this.call('authenticate', {}, envelopeSchema, opts);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableError) || !/HTTP 5\d\d/.test(err.message)) throw err;
      try {
        await this.call('authenticate', {}, envelopeSchema, opts);
      } catch (second) {
        if (second instanceof ServiceUnavailableError && /HTTP 5\d\d/.test(second.message)) {
          throw new AuthenticationError(`QuantConnect authentication failed: ${second.message} twice in a row`, { service: SERVICE, cause: second });
        }
        throw second;
      }
    }
  }

  async createProject(name: string, opts: CallOptions = {}): Promise<QcProject> {
    const { projects } = await this.call('projects/create', { name, language: 'Py' }, projectsSchema, opts);
    const project = projects[0];
    if (!project) throw new MalformedResponseError('QuantConnect projects/create answered without a project', { service: SERVICE });
    return project;
  }

  /** Every project of the account (projects/read without an id lists them all). */
  async listProjects(opts: CallOptions = {}): Promise<QcProject[]> {
    return (await this.call('projects/read', {}, projectsSchema, opts)).projects;
  }

  /** The project with exactly this name (the oldest one if several share it), or null. */
  async findProjectByName(name: string, opts: CallOptions = {}): Promise<QcProject | null> {
    const matches = (await this.listProjects(opts)).filter((p) => p.name === name);
    matches.sort((a, b) => a.projectId - b.projectId);
    return matches[0] ?? null;
  }

  async readProject(projectId: number, opts: CallOptions = {}): Promise<QcProject> {
    const { projects } = await this.call('projects/read', { projectId }, projectsSchema, opts);
    const project = projects.find((p) => p.projectId === projectId) ?? projects[0];
    if (!project) throw new BadRequestError(`QuantConnect has no project ${projectId}`, { service: SERVICE });
    return project;
  }

  async deleteProject(projectId: number, opts: CallOptions = {}): Promise<void> {
    await this.call('projects/delete', { projectId }, envelopeSchema, opts);
  }

  async createFile(projectId: number, name: string, content: string, opts: CallOptions = {}): Promise<void> {
    await this.call('files/create', { projectId, name, content }, envelopeSchema, opts);
  }

  async updateFile(projectId: number, name: string, content: string, opts: CallOptions = {}): Promise<void> {
    await this.call('files/update', { projectId, name, content }, envelopeSchema, opts);
  }

  /** Every file of a project, with contents. */
  async listFiles(projectId: number, opts: CallOptions = {}): Promise<QcFile[]> {
    return (await this.call('files/read', { projectId }, filesSchema, opts)).files;
  }

  /** One file, or null when the project has no file of that name. */
  async readFile(projectId: number, name: string, opts: CallOptions = {}): Promise<QcFile | null> {
    const files = await this.listFiles(projectId, opts);
    return files.find((f) => f.name === name) ?? null;
  }

  async createCompile(projectId: number, opts: CallOptions = {}): Promise<QcCompile> {
    return this.call('compile/create', { projectId }, compileSchema, opts);
  }

  async readCompile(projectId: number, compileId: string, opts: CallOptions = {}): Promise<QcCompile> {
    return this.call('compile/read', { projectId, compileId }, compileSchema, opts);
  }

  async createBacktest(
    projectId: number,
    compileId: string,
    name: string,
    parameters?: Record<string, string | number>,
    opts: CallOptions = {},
  ): Promise<QcBacktest> {
    const body: Record<string, unknown> = { projectId, compileId, backtestName: name };
    if (parameters && Object.keys(parameters).length > 0) body.parameters = parameters;
    const answer = await this.call('backtests/create', body, z.looseObject({ backtest: z.unknown().optional() }), opts);
    return this.backtestFrom('backtests/create', answer.backtest ?? answer);
  }

  async readBacktest(projectId: number, backtestId: string, opts: CallOptions = {}): Promise<QcBacktest> {
    const answer = await this.call('backtests/read', { projectId, backtestId }, z.looseObject({ backtest: z.unknown().optional() }), opts);
    return this.backtestFrom('backtests/read', answer.backtest);
  }

  /**
   * The project's backtests. QuantConnect's answer carries the list under `backtests` (the spec)
   * or `backtest` (its published examples); a list under neither is a malformed answer, never an
   * empty list, because an empty list would silently switch off the lookup that prevents a
   * second backtest after a lost response.
   */
  async listBacktests(projectId: number, opts: CallOptions = {}): Promise<QcBacktest[]> {
    const answer = await this.call('backtests/list', { projectId }, z.looseObject({ backtests: z.unknown().optional(), backtest: z.unknown().optional() }), opts);
    const list = Array.isArray(answer.backtests) ? answer.backtests : Array.isArray(answer.backtest) ? answer.backtest : null;
    if (!list) {
      throw new MalformedResponseError('QuantConnect backtests/list answered without a list of backtests (neither "backtests" nor "backtest" is a list)', { service: SERVICE });
    }
    return list.map((b) => this.backtestFrom('backtests/list', b));
  }

  async deleteBacktest(projectId: number, backtestId: string, opts: CallOptions = {}): Promise<void> {
    await this.call('backtests/delete', { projectId, backtestId }, envelopeSchema, opts);
  }

  /**
   * One read of a backtest chart. While QuantConnect generates it the answer is "loading" (HTTP 200
   * with `status: "loading"` and a progress; some answers say so with `success: false`): that is a
   * result to poll again, not a failure. Points outside [start, end] (Unix seconds) are not sent.
   */
  async readBacktestChart(
    projectId: number,
    backtestId: string,
    request: { name: string; count: number; start: number; end: number },
    opts: CallOptions = {},
  ): Promise<QcChartAnswer> {
    let answer: z.output<typeof chartAnswerSchema>;
    try {
      answer = await this.call('backtests/chart/read', { projectId, backtestId, ...request }, chartAnswerSchema, opts);
    } catch (err) {
      // a loading message may read as transient ("try again") or as a refusal: either way the chart is on its way
      if ((err instanceof BadRequestError || err instanceof ServiceUnavailableError) && /loading|being generated|not (yet )?ready/i.test(err.message)) return { kind: 'loading', progress: 0 };
      throw err;
    }
    if (answer.status && /loading/i.test(answer.status) && !answer.chart) return { kind: 'loading', progress: clampProgress(answer.progress) };
    if (!answer.chart) throw new MalformedResponseError(`QuantConnect backtests/chart/read answered without a chart or a loading status for ${request.name}`, { service: SERVICE });
    const raw = answer.chart.series ?? {};
    const entries: Array<[string, z.output<typeof chartSeriesSchema>]> = Array.isArray(raw) ? raw.map((s, i) => [s.name ?? String(i), s]) : Object.entries(raw);
    const series: Record<string, QcChartPoint[]> = {};
    for (const [name, s] of entries) series[name] = (s.values ?? []).flatMap((v) => chartPoint(v) ?? []);
    return { kind: 'chart', chart: { name: answer.chart.name ?? request.name, series } };
  }

  /**
   * The "Equity" series of a backtest's "Strategy Equity" chart over [start, end] (Unix seconds),
   * reading again while QuantConnect answers "loading": after an eighth of `pollMs`, then at
   * doubling waits up to it (a chart generated in a moment is read a moment later, not a whole poll
   * interval later). Still loading after `timeoutMs` is a retryable ServiceUnavailableError; a chart
   * without an equity series is a malformed answer.
   */
  async readEquityChart(projectId: number, backtestId: string, range: { start: number; end: number; count: number }, options: ChartWaitOptions): Promise<QcChartPoint[]> {
    const started = Date.now();
    for (let reads = 0; ; reads++) {
      const answer = await this.readBacktestChart(projectId, backtestId, { name: 'Strategy Equity', ...range }, options);
      if (answer.kind === 'chart') {
        const equity = answer.chart.series.Equity ?? Object.entries(answer.chart.series).find(([name]) => /equity/i.test(name))?.[1];
        if (!equity) {
          throw new MalformedResponseError(`QuantConnect's Strategy Equity chart of backtest ${backtestId} has no Equity series (series: ${Object.keys(answer.chart.series).join(', ') || 'none'})`, { service: SERVICE });
        }
        return equity;
      }
      options.onLoading?.(answer.progress);
      if (Date.now() - started > options.timeoutMs) {
        throw new ServiceUnavailableError(`QuantConnect was still generating the equity chart of backtest ${backtestId} after ${Math.round(options.timeoutMs / 1000)} s`, { service: SERVICE });
      }
      await sleep(backoffWait(reads, options.pollMs), options.signal);
    }
  }

  private backtestFrom(endpoint: string, value: unknown): QcBacktest {
    const result = backtestSchema.safeParse(value);
    if (!result.success) {
      throw new MalformedResponseError(`QuantConnect ${endpoint} answered with an unreadable backtest (${firstIssue(result.error, 'backtest')})`, { service: SERVICE });
    }
    return result.data;
  }

  // ---- idempotent helpers ----

  /** The project named `name`, created only when no project of that name exists yet. */
  async ensureProject(name: string, opts: CallOptions = {}): Promise<QcProject & { wasCreated: boolean }> {
    const existing = await this.findProjectByName(name, opts);
    if (existing) return { ...existing, wasCreated: false };
    return { ...(await this.createProject(name, opts)), wasCreated: true };
  }

  /**
   * Puts `code` into the project's `main.py`: updated when present (a new project already has
   * one), created only when missing, untouched when it already holds exactly this code.
   */
  async uploadMain(projectId: number, code: string, opts: CallOptions = {}): Promise<'unchanged' | 'updated' | 'created'> {
    const current = await this.readFile(projectId, 'main.py', opts);
    if (current) {
      if (current.content === code) return 'unchanged';
      await this.updateFile(projectId, 'main.py', code, opts);
      return 'updated';
    }
    try {
      await this.createFile(projectId, 'main.py', code, opts);
      return 'created';
    } catch (err) {
      // Another attempt created it in the meantime: fall back to updating.
      if (err instanceof BadRequestError && /exist/i.test(err.message)) {
        await this.updateFile(projectId, 'main.py', code, opts);
        return 'updated';
      }
      throw err;
    }
  }

  /** Compiles the project and polls until the build succeeds or fails (a build error is a result, not a failure). */
  async compileAndWait(projectId: number, options: CompileWaitOptions): Promise<CompileResult> {
    const started = Date.now();
    let reads = 0;
    let compile = await this.createCompile(projectId, options);
    options.onPoll?.(compile.state);
    for (;;) {
      const { state } = compile;
      if (state === 'BuildSuccess' || state === 'BuildError') return { state, compileId: compile.compileId, logs: compile.logs };
      if (Date.now() - started > options.timeoutMs) {
        throw new ServiceUnavailableError(
          `QuantConnect compile ${compile.compileId} of project ${projectId} was still ${compile.state} after ${Math.round(options.timeoutMs / 1000)} s`,
          { service: SERVICE },
        );
      }
      await sleep(backoffWait(reads++, options.pollMs), options.signal);
      compile = await this.readCompile(projectId, compile.compileId, options);
      options.onPoll?.(compile.state);
    }
  }

  /** The project's backtest with exactly this name (the deterministic name of a workflow step), or null. */
  async findBacktestByName(projectId: number, name: string, opts: CallOptions = {}): Promise<QcBacktest | null> {
    return (await this.listBacktests(projectId, opts)).find((b) => b.name === name) ?? null;
  }

  /**
   * Polls a backtest until it finishes: an error, stack trace or initialisation error gives a
   * runtime-error outcome; `completed` with statistics as an object gives the parsed statistics.
   */
  async pollBacktest(projectId: number, backtestId: string, options: BacktestPollOptions): Promise<BacktestOutcome> {
    const started = Date.now();
    const clock = new BacktestPollClock(options.pollMs);
    for (;;) {
      const backtest = await this.readBacktest(projectId, backtestId, options);
      options.onProgress?.(backtest.progress, backtest.status);
      const outcome = backtestOutcome(backtest);
      if (outcome) return outcome;
      if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
        throw new ServiceUnavailableError(
          `QuantConnect backtest ${backtestId} was still running (${backtest.status || 'no status'}) after ${Math.round(options.timeoutMs / 1000)} s`,
          { service: SERVICE },
        );
      }
      await sleep(clock.next(backtest.progress, Date.now()), options.signal);
    }
  }
}

/** The outcome of a backtest that has finished, or null while it is still queued or running. */
export function backtestOutcome(b: QcBacktest): BacktestOutcome | null {
  if (b.error !== null || b.stacktrace !== null || b.hasInitializeError || /runtime error/i.test(b.status)) {
    return {
      kind: 'runtimeError',
      backtestId: b.backtestId,
      name: b.name,
      status: b.status,
      error: b.error ?? (b.hasInitializeError ? 'The algorithm failed to initialize' : b.status || 'Runtime error'),
      stacktrace: b.stacktrace,
    };
  }
  // Statistics fill in before runtimeStatistics; LEAN's own client waits for both.
  if (b.completed && b.statistics !== null && (b.runtimeStatistics !== null || /^completed/i.test(b.status))) {
    return {
      kind: 'completed',
      backtestId: b.backtestId,
      name: b.name,
      status: b.status,
      statistics: parseBacktestStatistics(b.statistics),
      runtimeStatistics: b.runtimeStatistics ?? {},
      totalPerformance: parseTotalPerformance(b.totalPerformance),
    };
  }
  return null;
}

/** The first thing a schema found wrong, as `path: message` (`whole` names the value itself when the path is empty). */
function firstIssue(error: z.ZodError, whole: string): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || whole}: ${issue.message}` : 'invalid';
}
