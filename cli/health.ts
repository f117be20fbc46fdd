import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ENV_KEYS, mask, redactor, SECRET_KEYS, type QuantCoderConfig } from '../domain/config';
import type { HomeLayout } from '../domain/paths';
import { serviceEndpoints, type ServiceEndpoints } from '../domain/services';
import { taskQueues } from '../domain/task-queues';
import { profileOfIdentity, type WorkerProfile } from '../domain/worker-identity';
import { assertSqliteFile, MIGRATIONS_DIR, pendingMigrations } from '../store/database';
import { isPostgresUrl, pendingPostgresMigrations, redactUrl } from '../store/postgres';
import { quantconnectAuthHeaders } from '../domain/quantconnect-auth';
import { formatBytes } from './format';
import type { Settings } from '../config/settings';
import type { SecretKey, SecretSource } from '../config/secrets';

/**
 * `quantcoder health`: each check is a function returning `{ status, message }`. A `fail` makes
 * the whole report unhealthy, a `warn` degraded. Messages name what to do, and never hold a secret.
 */

export type CheckStatus = 'pass' | 'warn' | 'fail';
export interface CheckResult {
  status: CheckStatus;
  message: string;
}
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export const CHECK_NAMES = ['config', 'api_keys', 'quantconnect', 'directories', 'dependencies', 'temporal', 'workers', 'database'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
/** Checks `--deep` adds: one authenticated call per configured service. */
export type DeepCheckName = 'quantconnect_auth' | 'openai_auth' | 'anthropic_auth';

export interface HealthReport {
  version: string;
  status: HealthStatus;
  checks: Record<CheckName, CheckResult> & Partial<Record<DeepCheckName, CheckResult>>;
}

const pass = (message: string): CheckResult => ({ status: 'pass', message });
const warn = (message: string): CheckResult => ({ status: 'warn', message });
const fail = (message: string): CheckResult => ({ status: 'fail', message });

export function overallStatus(checks: Record<string, CheckResult>): HealthStatus {
  const statuses = Object.values(checks).map((c) => c.status);
  if (statuses.includes('fail')) return 'unhealthy';
  if (statuses.includes('warn')) return 'degraded';
  return 'healthy';
}

/** The environment variable that sets a config key (for messages: operators set variables, not dotted keys). */
function envName(key: string): string {
  return Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0] ?? key;
}

export function checkConfig(settings: Settings | undefined, error: Error | undefined): CheckResult {
  if (error || !settings) return fail(error?.message ?? 'Configuration could not be loaded');
  const file = settings.layout.config;
  const source = fs.existsSync(file) ? `${file}` : `defaults (no ${file})`;
  const profile = settings.config.profile === 'sandbox' ? '; profile sandbox (simulated services)' : '';
  const warnings = settings.warnings.length ? `; ${settings.warnings.join('; ')}` : '';
  return settings.warnings.length ? warn(`Config loaded from ${source}${profile}${warnings}`) : pass(`Config loaded from ${source}${profile}`);
}

/** The LLM providers some task uses: the default one and any per-task override. */
export function providersInUse(config: QuantCoderConfig): Array<'openai' | 'anthropic'> {
  const { llm } = config;
  return [...new Set([llm.provider, llm.summarize.provider, llm.generate.provider, llm.repair.provider].filter((p): p is 'openai' | 'anthropic' => !!p))];
}

const SOURCE_NAMES: Record<SecretSource, string> = { env: 'environment', keyring: 'OS keyring', dotenv: '.env', file: 'config.json' };

/** Where a secret in force comes from, with its mask: "OS keyring, sk-…21 (30 chars)". Never the value. */
function secretOrigin(key: SecretKey, value: string, sources: Partial<Record<SecretKey, SecretSource>>): string {
  const source = sources[key];
  return `${source ? `${SOURCE_NAMES[source]}, ` : ''}${mask(value)}`;
}

export function checkApiKeys(config: QuantCoderConfig, sources: Partial<Record<SecretKey, SecretSource>> = {}): CheckResult {
  if (config.profile === 'sandbox') return pass('Sandbox profile: the simulators accept their built-in keys');
  const found: string[] = [];
  const missing: string[] = [];
  for (const provider of providersInUse(config)) {
    const key = config[provider].apiKey;
    if (key) found.push(`${envName(`${provider}.apiKey`)} (${secretOrigin(`${provider}.apiKey`, key, sources)})`);
    else missing.push(envName(`${provider}.apiKey`));
  }
  for (const provider of ['openai', 'anthropic'] as const) {
    const key = config[provider].apiKey;
    const name = envName(`${provider}.apiKey`);
    if (key && !found.some((f) => f.startsWith(`${name} `))) found.push(`${name} (${secretOrigin(`${provider}.apiKey`, key, sources)})`);
  }
  if (missing.length) {
    return warn(
      `Missing: ${missing.join(', ')} (needed by llm.provider ${providersInUse(config).join(', ')}). Searches work; summaries and code generation ` +
        `will fail. Set it in the environment, or with \`quantcoder config set\` (stored in the OS keyring, or in $QUANTCODER_HOME/.env without one).`,
    );
  }
  return pass(`Found: ${found.join(', ')}`);
}

export function checkQuantConnectCredentials(config: QuantCoderConfig, sources: Partial<Record<SecretKey, SecretSource>> = {}): CheckResult {
  if (config.profile === 'sandbox') return pass('Sandbox profile: the QuantConnect simulator accepts its built-in credentials');
  const { userId, apiToken } = config.quantconnect;
  if (userId && apiToken) return pass(`QuantConnect credentials configured (user ${userId}; token from ${secretOrigin('quantconnect.apiToken', apiToken, sources)})`);
  const missing = [!userId && 'QUANTCONNECT_USER_ID', !apiToken && 'QUANTCONNECT_API_TOKEN'].filter(Boolean).join(' and ');
  return warn(`QuantConnect credentials not configured (missing ${missing}): compiling and backtesting will fail`);
}

function writableDir(dir: string): string | undefined {
  try {
    const stat = fs.statSync(dir);
    if (!stat.isDirectory()) return `${dir} is not a directory`;
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${dir} does not exist` : `${dir} is not writable (${code ?? (err as Error).message})`;
  }
}

export function checkDirectories(layout: HomeLayout): CheckResult {
  const homeProblem = writableDir(layout.home);
  if (homeProblem) return fail(`${homeProblem}: QUANTCODER_HOME must be a writable directory (\`quantcoder db migrate\` creates it)`);
  const problems: string[] = [];
  const later: string[] = [];
  for (const dir of [layout.artifacts, layout.downloads, layout.generated, layout.backups]) {
    if (!fs.existsSync(dir)) later.push(path.basename(dir));
    else {
      const p = writableDir(dir);
      if (p) problems.push(p);
    }
  }
  if (fs.existsSync(layout.log)) {
    try {
      fs.accessSync(layout.log, fs.constants.W_OK);
    } catch {
      problems.push(`${layout.log} is not writable`);
    }
  }
  if (problems.length) return fail(problems.join('; '));
  return pass(`All directories accessible under ${layout.home}${later.length ? ` (${later.join(', ')} created on first use)` : ''}`);
}

/** Native modules and generated code QuantCoder cannot run without; loading them proves they were built for this Node. */
export function checkDependencies(): CheckResult {
  const problems: string[] = [];
  const found: string[] = [];
  const attempt = (what: string, fn: () => string | void) => {
    try {
      const detail = fn();
      found.push(detail ? `${what} ${detail}` : what);
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message.split('\n')[0]}`);
    }
  };
  attempt('better-sqlite3', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(':memory:');
    try {
      return `(SQLite ${(db.prepare('select sqlite_version() as v').get() as { v: string }).v})`;
    } finally {
      db.close();
    }
  });
  attempt('Temporal core bridge', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@temporalio/core-bridge');
  });
  attempt('Prisma client', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Prisma } = require('@prisma/client') as { Prisma?: { ModelName?: Record<string, string>; prismaVersion?: { client: string } } };
    if (!Prisma?.ModelName?.Article) throw new Error('not generated: run `npx prisma generate`');
    return Prisma.prismaVersion ? `(${Prisma.prismaVersion.client})` : undefined;
  });
  for (const [name, entry] of [
    ['pdfjs-dist', 'pdfjs-dist/legacy/build/pdf.mjs'],
    ['web-tree-sitter', 'web-tree-sitter'],
    ['tree-sitter-python', 'tree-sitter-python'],
    ['openai', 'openai'],
    ['@anthropic-ai/sdk', '@anthropic-ai/sdk'],
  ] as const) {
    attempt(name, () => {
      require.resolve(entry);
    });
  }
  if (!fs.existsSync(MIGRATIONS_DIR)) problems.push(`migrations folder ${MIGRATIONS_DIR} is missing (broken install)`);
  if (problems.length) return fail(`Missing or broken: ${problems.join('; ')}`);
  return pass(`All required packages available: ${found.join(', ')}`);
}

/** The PostgreSQL learning store (QUANTCODER_DATABASE_URL): reachable, every migration applied. */
export async function checkPostgresDatabase(url: string): Promise<CheckResult> {
  let pending: string[];
  try {
    pending = await pendingPostgresMigrations(url);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (pending.length) return fail(`${redactUrl(url)} has ${pending.length} pending migration(s) (${pending.join(', ')}): run \`quantcoder db migrate\``);
  return pass(`${redactUrl(url)}: all migrations applied`);
}

export function checkDatabase(file: string): CheckResult {
  if (!fs.existsSync(file)) return fail(`${file} is missing: run \`quantcoder db migrate\` to create it`);
  try {
    assertSqliteFile(file);
  } catch (err) {
    return fail((err as Error).message);
  }
  let pending: string[];
  try {
    pending = pendingMigrations(file);
  } catch (err) {
    return fail(`${file}: cannot read its migrations (${(err as Error).message})`);
  }
  if (pending.length) return fail(`${file} has ${pending.length} pending migration(s) (${pending.join(', ')}): run \`quantcoder db migrate\``);
  const size = fs.statSync(file).size;
  return pass(`${file}: all migrations applied, integrity check ok (${formatBytes(size)})`);
}


const GRPC_NOT_FOUND = 5;

/** Opens and closes a TCP connection: a refused port is known at once, where gRPC would wait out its deadline. */
function tcpProbe(address: string, timeoutMs: number): Promise<string | undefined> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port)) return Promise.resolve(undefined); // let gRPC judge an unusual address
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timed out');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** Connects to the Temporal server with a short deadline; the connection is returned for the workers check. */
export async function checkTemporal(address: string, namespace: string, timeoutMs = 3000): Promise<{ result: CheckResult; connection?: Connection }> {
  const unreachable = (detail: string) =>
    fail(`No Temporal server answers at ${address} (${detail}). Start one with \`quantcoder dev\`, or set --address / TEMPORAL_ADDRESS.`);
  const refused = await tcpProbe(address, timeoutMs);
  if (refused) return { result: unreachable(refused) };
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
  } catch (err) {
    return { result: unreachable((err as Error).message.split('\n')[0]!.slice(0, 120)) };
  }
  try {
    const info = await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.getSystemInfo({}));
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.describeNamespace({ namespace }));
    const version = info.serverVersion ? `Temporal ${info.serverVersion}` : 'Temporal server';
    return { result: pass(`${version} at ${address}; namespace "${namespace}" exists`), connection };
  } catch (err) {
    if (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND) {
      return {
        result: fail(`Temporal at ${address} has no namespace "${namespace}": create it (\`temporal operator namespace create ${namespace}\`) or set TEMPORAL_NAMESPACE`),
        connection,
      };
    }
    await connection.close().catch(() => undefined);
    return { result: fail(`Temporal server at ${address} did not answer: ${(err as Error).message.split('\n')[0]}`) };
  }
}

/**
 * Whether workers poll every QuantCoder task queue (Temporal's task-queue description lists the
 * pollers it saw recently). No poller on the workflow queue means no run can progress; a missing
 * poller on a service queue alone may be a worker busy at its concurrency limit.
 */
export async function checkWorkers(connection: Connection, namespace: string, baseQueue: string, timeoutMs = 3000): Promise<CheckResult & { profiles: WorkerProfile[] }> {
  const queues = taskQueues(baseQueue);
  const counts: Array<{ role: string; queue: string; workers: number }> = [];
  const identities = new Set<string>();
  try {
    for (const [role, queue] of Object.entries(queues)) {
      const res = await connection.withDeadline(Date.now() + timeoutMs, () =>
        connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: queue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType:
            queue === queues.workflows
              ? temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
              : temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        }),
      );
      const pollers = (res.pollers ?? []).map((p) => p.identity ?? '');
      for (const p of pollers) identities.add(p);
      counts.push({ role, queue, workers: new Set(pollers).size });
    }
  } catch (err) {
    return { ...fail(`Could not describe the task queues: ${(err as Error).message.split('\n')[0]}`), profiles: [] };
  }
  const profiles = [...new Set([...identities].map(profileOfIdentity).filter((p): p is WorkerProfile => p !== null))].sort();
  const running = profiles.length ? `; workers run the ${profiles.join(' and ')} profile${profiles.includes('sandbox') ? ' (sandbox: every service simulated)' : ''}` : '';
  const summary = counts.map((c) => `${c.queue}: ${c.workers}`).join(', ');
  const workflowQueue = counts.find((c) => c.queue === queues.workflows)!;
  if (workflowQueue.workers === 0) {
    return { profiles, ...fail(`No worker polls task queue "${workflowQueue.queue}" (pollers ${summary}). Start one with \`quantcoder worker\` (or \`quantcoder dev\`).`) };
  }
  const idle = counts.filter((c) => c.workers === 0);
  if (idle.length) {
    return {
      profiles,
      ...warn(
        `No poller on ${idle.map((c) => `"${c.queue}"`).join(', ')} (pollers ${summary}): its workers are busy at their concurrency limit, ` +
          `or run an older QuantCoder without this queue${running}`,
      ),
    };
  }
  return { profiles, ...pass(`Workers poll every task queue (pollers ${summary})${running}`) };
}

// --- --deep: the cheapest authenticated call of each configured service ----------------------------

interface Answer {
  status: number;
  json: unknown;
  text: string;
}

async function call(url: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }, timeoutMs: number): Promise<Answer> {
  // loaded here, by --deep only: undici is a fifth of what a plain `health` would load otherwise
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { request } = require('undici') as typeof import('undici');
  const res = await request(url, {
    method: init.method,
    headers: init.headers,
    body: init.body,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json, text };
}

function networkProblem(service: string, url: string, err: unknown): CheckResult {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? e.name ?? 'error';
  // An unreachable service is an outage to wait out (runs retry), not a credential problem.
  return warn(`${service} unreachable at ${new URL(url).host} (${code}${e.message ? `: ${e.message.split('\n')[0]!.slice(0, 100)}` : ''})`);
}

/** Error text from a JSON error body (OpenAI, Anthropic, QuantConnect shapes), trimmed. */
function errorDetail(answer: Answer): string {
  const j = answer.json as { error?: { message?: string; code?: string; type?: string } | string; errors?: unknown[]; message?: string } | undefined;
  if (j && typeof j === 'object') {
    if (Array.isArray(j.errors) && j.errors.length) return j.errors.map(String).join('; ');
    if (typeof j.error === 'string') return j.error;
    if (j.error && typeof j.error === 'object') return [j.error.code ?? j.error.type, j.error.message].filter(Boolean).join(': ');
    if (typeof j.message === 'string') return j.message;
  }
  return answer.text.slice(0, 120);
}

function serviceProblem(service: string, answer: Answer): CheckResult {
  const detail = errorDetail(answer);
  // 429 and 5xx say nothing about the credentials.
  return warn(`${service} answered HTTP ${answer.status}${detail ? ` (${detail})` : ''}: a service problem, not a credential one`);
}

export async function checkQuantConnectAuth(qc: ServiceEndpoints['quantconnect'], timeoutMs = 10_000): Promise<CheckResult> {
  if (!qc.userId || !qc.apiToken) return warn('QuantConnect credentials not configured: authentication not tried');
  const url = `${qc.baseUrl.replace(/\/+$/, '')}/authenticate`;
  let answer: Answer;
  try {
    answer = await call(
      url,
      { method: 'POST', headers: { ...quantconnectAuthHeaders(qc.userId, qc.apiToken), 'content-type': 'application/json', accept: 'application/json' }, body: '{}' },
      timeoutMs,
    );
  } catch (err) {
    return networkProblem('QuantConnect', url, err);
  }
  const success = (answer.json as { success?: unknown } | undefined)?.success;
  if (answer.status === 200 && success === true) return pass(`QuantConnect accepted the credentials of user ${qc.userId} (POST /authenticate)`);
  if (answer.status === 429 || answer.status >= 500) return serviceProblem('QuantConnect', answer);
  // QuantConnect refuses bad credentials with HTTP 200 and success:false ("Hash doesn't match.").
  return fail(
    `QuantConnect refused the credentials of user ${qc.userId} (HTTP ${answer.status}: ${errorDetail(answer) || 'success: false'}). ` +
      'Check QUANTCONNECT_USER_ID and QUANTCONNECT_API_TOKEN (the token, not your password), and that this machine\'s clock is right: the hash includes the time.',
  );
}

async function checkModelList(
  service: 'OpenAI' | 'Anthropic',
  url: string,
  headers: Record<string, string>,
  keyName: string,
  model: string | undefined,
  timeoutMs: number,
): Promise<CheckResult> {
  let answer: Answer;
  try {
    answer = await call(url, { method: 'GET', headers: { ...headers, accept: 'application/json' } }, timeoutMs);
  } catch (err) {
    return networkProblem(service, url, err);
  }
  if (answer.status === 401 || answer.status === 403) {
    return fail(`${service} rejected ${keyName} (HTTP ${answer.status}: ${errorDetail(answer)}). Set a valid key: it is read from ${keyName}, $QUANTCODER_HOME/.env or the config file.`);
  }
  if (answer.status === 429 || answer.status >= 500) return serviceProblem(service, answer);
  const ids = ((answer.json as { data?: Array<{ id?: unknown }> } | undefined)?.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
  if (answer.status !== 200 || !Array.isArray((answer.json as { data?: unknown } | undefined)?.data)) {
    return fail(`${service} answered GET ${new URL(url).pathname} with HTTP ${answer.status} (${errorDetail(answer)}): is the base URL right?`);
  }
  if (model && !ids.includes(model)) {
    return warn(`${service} accepted ${keyName}, but model "${model}" is not among the ${ids.length} models it lists; set llm.model`);
  }
  return pass(`${service} accepted ${keyName} (${ids.length} models listed${model ? `, including ${model}` : ''})`);
}

export async function checkOpenAiAuth(openai: ServiceEndpoints['openai'], model: string | undefined, timeoutMs = 10_000): Promise<CheckResult> {
  if (!openai.apiKey) return warn('OPENAI_API_KEY not configured: authentication not tried');
  const url = `${openai.baseUrl.replace(/\/+$/, '')}/models`;
  return checkModelList('OpenAI', url, { authorization: `Bearer ${openai.apiKey}` }, 'OPENAI_API_KEY', model, timeoutMs);
}

export async function checkAnthropicAuth(anthropic: ServiceEndpoints['anthropic'], model: string | undefined, timeoutMs = 10_000): Promise<CheckResult> {
  if (!anthropic.apiKey) return warn('ANTHROPIC_API_KEY not configured: authentication not tried');
  const url = `${anthropic.baseUrl.replace(/\/+$/, '')}/v1/models`;
  return checkModelList('Anthropic', url, { 'x-api-key': anthropic.apiKey, 'anthropic-version': '2023-06-01' }, 'ANTHROPIC_API_KEY', model, timeoutMs);
}

/** The model each provider is asked for by default (per-task models are not all checked). */
function modelFor(config: QuantCoderConfig, provider: 'openai' | 'anthropic'): string | undefined {
  return config.llm.provider === provider ? config.llm.model : undefined;
}

export interface HealthOptions {
  version: string;
  layout: HomeLayout;
  settings?: Settings;
  configError?: Error;
  deep?: boolean;
  /** Secret values that must not appear in any message (beyond those the settings know). */
  secrets?: string[];
}

/** Runs every check and returns the report `quantcoder health` prints. */
export async function runHealthChecks(options: HealthOptions): Promise<HealthReport> {
  const { settings, layout } = options;
  const config = settings?.config;
  const skipped = fail('Not checked: the configuration is invalid (see "config")');
  const checks: Record<string, CheckResult> = {
    config: checkConfig(settings, options.configError),
    api_keys: config ? checkApiKeys(config, settings.secretSources) : skipped,
    quantconnect: config ? checkQuantConnectCredentials(config, settings.secretSources) : skipped,
    directories: checkDirectories(layout),
    dependencies: checkDependencies(),
    temporal: skipped,
    workers: skipped,
    database: isPostgresUrl(config?.database.url) ? await checkPostgresDatabase(config.database.url) : checkDatabase(layout.database),
  };
  if (config) {
    const { address, namespace, taskQueue } = config.temporal;
    const { result, connection } = await checkTemporal(address, namespace);
    checks.temporal = result;
    try {
      if (connection && result.status === 'pass') {
        const { profiles, ...workers } = await checkWorkers(connection, namespace, taskQueue);
        checks.workers = workers;
        // keys and credentials matter where the activities run: workers in the sandbox profile need none
        if (config.profile !== 'sandbox' && profiles.length === 1 && profiles[0] === 'sandbox') {
          checks.api_keys = pass('The connected workers run the sandbox profile: the simulators accept their built-in keys (runs here are simulated)');
          checks.quantconnect = pass('The connected workers run the sandbox profile: the QuantConnect simulator accepts its built-in credentials');
        }
        if (config.profile === 'sandbox' && profiles.includes('live')) {
          checks.workers = warn(`${workers.message}. This client is set to the sandbox profile, but a worker runs the live profile: its runs use the real services`);
        }
      } else checks.workers = fail(`Not checked: no Temporal server at ${address}`);
    } finally {
      await connection?.close().catch(() => undefined);
    }
    if (options.deep) {
      const endpoints = serviceEndpoints(config);
      const used = providersInUse(config);
      const deep: Array<Promise<[DeepCheckName, CheckResult]>> = [];
      if ((endpoints.quantconnect.userId && endpoints.quantconnect.apiToken) || endpoints.sandbox) {
        deep.push(checkQuantConnectAuth(endpoints.quantconnect).then((r) => ['quantconnect_auth', r]));
      }
      if (endpoints.openai.apiKey || used.includes('openai')) {
        deep.push(checkOpenAiAuth(endpoints.openai, modelFor(config, 'openai')).then((r) => ['openai_auth', r]));
      }
      if (endpoints.anthropic.apiKey || used.includes('anthropic')) {
        deep.push(checkAnthropicAuth(endpoints.anthropic, modelFor(config, 'anthropic')).then((r) => ['anthropic_auth', r]));
      }
      for (const [name, r] of await Promise.all(deep)) checks[name] = r;
    }
  }
  const scrub = redactor([...(settings?.secrets ?? []), ...(options.secrets ?? [])]);
  for (const c of Object.values(checks)) c.message = scrub(c.message);
  return { version: options.version, status: overallStatus(checks), checks: checks as HealthReport['checks'] };
}

/** Secret values set in an environment (used when the settings themselves failed to load). */
export function secretsInEnv(env: Record<string, string | undefined>): string[] {
  const names = Object.entries(ENV_KEYS)
    .filter(([, key]) => (SECRET_KEYS as readonly string[]).includes(key))
    .map(([name]) => name);
  return names.map((n) => env[n]).filter((v): v is string => !!v);
}
