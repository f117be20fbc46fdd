import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment, type EphemeralServerExecutable } from '@temporalio/testing';
import { QUANTCODER_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { packageRoot } from '../config/package-root';

export interface ResolvedExecutable {
  executable: EphemeralServerExecutable;
  /** Where it came from, for messages: an env var, PATH, the project's `.tools/`, or the SDK download. */
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'project' | 'sdk-download';
  path?: string;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Folders under `.tools/` where the setup script installs the Temporal CLI from PyPI. */
export function projectToolDirs(root = packageRoot()): string[] {
  return [path.join(root, '.tools', 'py', 'bin'), path.join(root, '.tools', 'bin')];
}

/**
 * Finds the Temporal CLI: `TEMPORAL_CLI_PATH`, then `temporal` on `PATH`, then the project's
 * `.tools/`, then the SDK's own download (which needs internet).
 */
export function resolveTemporalExecutable(env: NodeJS.ProcessEnv = process.env, root?: string): ResolvedExecutable {
  const fromEnv = env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return { executable: { type: 'existing-path', path: fromEnv }, source: 'TEMPORAL_CLI_PATH', path: fromEnv };
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    if (isExecutable(candidate)) return { executable: { type: 'existing-path', path: candidate }, source: 'PATH', path: candidate };
  }
  for (const dir of projectToolDirs(root)) {
    const candidate = path.join(dir, 'temporal');
    if (isExecutable(candidate)) return { executable: { type: 'existing-path', path: candidate }, source: 'project', path: candidate };
  }
  return { executable: { type: 'cached-download' }, source: 'sdk-download' };
}

export interface DevServerOptions {
  /** Frontend port; a free one is chosen when absent (and a fresh one for the retry). */
  port?: number;
  /** Web UI port; the frontend port + 1000 when absent, as the SDK does. */
  uiPort?: number;
  ui?: boolean;
  ip?: string;
  namespace?: string;
  /** SQLite file that keeps the server's state across restarts; in memory when absent. */
  dbFile?: string;
  logLevel?: string;
  env?: NodeJS.ProcessEnv;
  /** How long one start may take before it counts as failed (a loaded machine needs more than the SDK's 5 s). */
  startTimeoutMs?: number;
  /** Told about a failed first start (with the server's own output) before the one retry. */
  onRetry?: (error: DevServerStartError) => void;
}

/** A running `temporal server start-dev`. */
export interface DevServer {
  address: string;
  /** The server's own stdout and stderr (the last 64 KB), for messages when something goes wrong. */
  output(): string;
  /**
   * Stops the server and waits until it is gone: one with a database file gets SIGTERM (then SIGKILL
   * after a grace period), one in memory SIGKILL at once.
   */
  teardown(): Promise<void>;
}

/** The dev server did not answer in time or exited while starting; the message carries its own output. */
export class DevServerStartError extends Error {
  constructor(
    readonly reason: string,
    readonly serverOutput: string,
  ) {
    const tail = serverOutput.trim().split('\n').slice(-40).join('\n');
    super(`The Temporal dev server did not start: ${reason}.${tail ? `\nIts output:\n${tail}` : ' It printed nothing.'}`);
    this.name = 'DevServerStartError';
  }
}

function freePort(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, ip, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const SEARCH_ATTRIBUTE_TYPE: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int', DOUBLE: 'Double', TEXT: 'Text', BOOL: 'Bool', DATETIME: 'Datetime', KEYWORD_LIST: 'KeywordList' };

/**
 * The history service's task queues (transfer: every activity and workflow task it hands to
 * matching; timer: retries, timeouts, timers; visibility: what `runs list` reads) are read at most
 * 20 times a second *per shard* by default. A cluster spreads its workflows over hundreds of shards;
 * the dev server has one, so the limit is the whole server's: once its burst is spent (about a
 * second of steady work), every task a workflow hands on waits for the next read, about 40 ms, and
 * an activity in sequence costs two such waits (51.5 ms per no-op activity on a queue of the
 * workflow's own, 101.5 ms on another, against 9 and 12 ms with the limit raised). A read per
 * notification is all a one-shard server needs; the limit stays as a guard against a busy loop.
 */
const QUEUE_READ_RATE_SETTINGS = ['transfer', 'timer', 'visibility'].map((queue) => `history.${queue}ProcessorMaxPollRPS=1000`);

function devServerArgs(options: DevServerOptions, ip: string, port: number): string[] {
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--namespace', options.namespace ?? 'default'];
  args.push(...(options.ui ? ['--ui-port', String(options.uiPort ?? port + 1000)] : ['--headless']));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  args.push('--log-format', 'json', '--log-level', options.logLevel ?? 'error');
  // One partition per task queue. Partitions spread a busy queue's matching over server hosts; in a
  // one-process server they only add forwarding between partitions (the test suite's server used
  // about 15 % less CPU with one).
  for (const setting of ['matching.numTaskqueueReadPartitions=1', 'matching.numTaskqueueWritePartitions=1']) args.push('--dynamic-config-value', setting);
  args.push(...QUEUE_READ_RATE_SETTINGS.flatMap((setting) => ['--dynamic-config-value', setting]));
  for (const key of QUANTCODER_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=${SEARCH_ATTRIBUTE_TYPE[key.type] ?? key.type}`);
  return args;
}

/** Whether the server at `address` answers for `namespace`: it is up, not merely listening. */
async function answers(address: string, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: '1 second' });
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/** Spawns the CLI and waits until it answers; on failure the process is stopped and its output reported. */
async function spawnDevServer(binary: string, options: DevServerOptions, port: number): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const address = `${ip}:${port}`;
  const child = spawn(binary, devServerArgs(options, ip, port), { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-64_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      exit = `it could not be run (${err.message})`;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exit = `it exited with ${signal ?? `code ${code}`}`;
      resolve();
    });
  });
  // a server left behind would hold its port and its database file
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const teardown = async () => {
    process.off('exit', killOnExit);
    if (exit === undefined) {
      // a server in memory keeps nothing a graceful stop would save, and that stop takes about a second
      child.kill(options.dbFile ? 'SIGTERM' : 'SIGKILL');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (exit !== undefined) break;
    if (await answers(address, options.namespace ?? 'default')) return { address, output: () => output, teardown };
    if (Date.now() > deadline) break;
    await Promise.race([exited, new Promise((r) => setTimeout(r, 200))]);
  }
  const reason = exit ?? `${address} did not answer within ${Math.round((options.startTimeoutMs ?? 30_000) / 1000)} s`;
  await teardown();
  throw new DevServerStartError(`${reason} (${binary} ${devServerArgs(options, ip, port).slice(0, 6).join(' ')} …)`, output);
}

/** Through the SDK, when no CLI is installed: it downloads one (which needs internet). */
async function sdkDevServer(resolved: ResolvedExecutable, options: DevServerOptions): Promise<DevServer> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: resolved.executable,
      ip: options.ip ?? '127.0.0.1',
      port: options.port,
      ui: options.ui ?? false,
      uiPort: options.uiPort,
      namespace: options.namespace ?? 'default',
      dbFilename: options.dbFile,
      searchAttributes: QUANTCODER_SEARCH_ATTRIBUTES,
      log: { format: 'json', level: options.logLevel ?? 'error' },
    },
  });
  return { address: env.address, output: () => '', teardown: () => env.teardown() };
}

/**
 * Starts `temporal server start-dev` with QuantCoder's search attributes registered. A start that
 * fails (slow under load, a port taken in the meantime) is retried once, on a fresh port unless
 * the caller chose one; a second failure reports the server's own output.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<{ env: DevServer; resolved: ResolvedExecutable }> {
  const resolved = resolveTemporalExecutable(options.env);
  if (options.dbFile) fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const once = async () => {
    if (!resolved.path) return sdkDevServer(resolved, options);
    return spawnDevServer(resolved.path, options, options.port ?? (await freePort(options.ip ?? '127.0.0.1')));
  };
  try {
    return { env: await once(), resolved };
  } catch (err) {
    const failure = err instanceof DevServerStartError ? err : new DevServerStartError((err as Error).message.split('\n')[0]!, '');
    options.onRetry?.(failure);
    try {
      return { env: await once(), resolved };
    } catch (second) {
      if (second instanceof DevServerStartError) throw second;
      throw new DevServerStartError((second as Error).message.split('\n')[0]!, '');
    }
  }
}
