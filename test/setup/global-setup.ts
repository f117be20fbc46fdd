import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer } from '../../worker/temporal-server';
import { ensureTestWorkflowBundle } from './workflow-bundle';

/**
 * One real Temporal dev server per test run, on a free port, and one bundle of the workflow code;
 * their addresses reach every test file through the environment.
 */
export default async function globalSetup(): Promise<void> {
  // first: an interrupt while the servers start must stop them too
  stopServersOnInterrupt();
  // and so must a run that ends without its global teardown: a crash, or `npm test | head`, where jest
  // dies writing to the closed pipe (the dev server has an exit hook of its own)
  process.once('exit', stopPostgres);
  // PostgreSQL starts beside the dev server, and is stopped again if the dev server cannot start
  const postgres = startPostgres();
  postgres.catch(() => undefined); // awaited below: a failure before then is not an unhandled one
  const [{ env, resolved }, bundle] = await Promise.all([
    startDevServer({
      ui: true,
      onRetry: (err) => process.stderr.write(`\n${err.message}\nRetrying once on a fresh port.\n`),
    }),
    ensureTestWorkflowBundle(),
  ]).catch(async (err: unknown) => {
    await postgres.catch(() => undefined);
    stopPostgres();
    throw err;
  });
  await postgres;
  (globalThis as { __temporalEnv?: unknown }).__temporalEnv = env;
  process.env.QC_TEST_TEMPORAL_ADDRESS = env.address;
  process.env.QC_TEST_TEMPORAL_BINARY = resolved.path ?? '';
  process.env.QC_TEST_WORKFLOW_BUNDLE = bundle.codePath;
  // The Web UI listens on the frontend port + 1000 when no UI port is given.
  process.env.QC_TEST_TEMPORAL_UI_URL = `http://127.0.0.1:${Number(env.address.split(':').pop()) + 1000}`;
}

const INTERRUPTS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * An interrupted run (Ctrl-C, a CI job's SIGTERM, a closed terminal) gets no global teardown: without
 * this, PostgreSQL (started in a session of its own, so Ctrl-C does not reach it) and, on SIGTERM,
 * the dev server and jest's test processes would outlive the run, holding ports, memory and CPU.
 * The run's own processes (test processes and what they started) get SIGTERM, PostgreSQL is
 * stopped, and exiting runs the dev server's exit hook, which kills it. The exit status is the
 * signal's usual one.
 */
function stopServersOnInterrupt(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    for (const s of INTERRUPTS) process.off(s, onSignal);
    for (const pid of descendants(process.pid)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone already
      }
    }
    stopPostgres();
    process.exit(128 + os.constants.signals[signal]);
  };
  for (const s of INTERRUPTS) process.on(s, onSignal);
}

/** The processes below `pid` (each before its own children), by `pgrep -P`; none where pgrep is missing. */
export function descendants(pid: number): number[] {
  const res = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  const children = (res.stdout ?? '').split('\n').filter(Boolean).map(Number);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/**
 * Stops the run's PostgreSQL server, if it started one, and removes its files (safe to call twice).
 * An interrupt can come while the server is still being made: the processes doing it (the start
 * script, initdb, a server still starting) end before the files go, or one of them could write the
 * directory back after its removal (initdb makes its whole path).
 */
export function stopPostgres(): void {
  const dir = (globalThis as { __postgresDir?: string }).__postgresDir;
  if (!dir) return;
  (globalThis as { __postgresDir?: string }).__postgresDir = undefined;
  spawnSync('bash', [path.join(__dirname, '..', '..', 'scripts', 'postgres-local.sh'), 'stop', path.join(dir, 'pg')], { timeout: 60_000 });
  endProcessesNaming(dir);
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch (err) {
    process.stderr.write(`\nThe test PostgreSQL directory ${dir} could not be removed: ${(err as Error).message}\n`);
  }
}

/** Ends every process whose command line names `path`: SIGTERM, then SIGKILL for one still there after a second; gives up after five. */
function endProcessesNaming(target: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let round = 0; round < 50; round++) {
    const found = spawnSync('pgrep', ['-f', target], { encoding: 'utf8' });
    const pids = (found.stdout ?? '').split('\n').filter(Boolean).map(Number).filter((pid) => pid !== process.pid);
    if (!pids.length) return;
    for (const pid of pids) {
      try {
        process.kill(pid, round < 10 ? 'SIGTERM' : 'SIGKILL');
      } catch {
        // gone already
      }
    }
    Atomics.wait(pause, 0, 0, 100);
  }
}

/**
 * One throwaway PostgreSQL server per test run (Debian's packages), so the learning-store tests run
 * on PostgreSQL as well as SQLite. Missing outside CI: those tests are skipped with the reason printed;
 * missing in CI: the run fails.
 */
async function startPostgres(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-test-pg-'));
  fs.chmodSync(dir, 0o755); // the server runs as the postgres user when the tests run as root
  // known from now on, so an interrupt while it starts stops it and removes its files
  (globalThis as { __postgresDir?: string }).__postgresDir = dir;
  const script = path.join(__dirname, '..', '..', 'scripts', 'postgres-local.sh');
  const res = await runScript('bash', [script, 'start', path.join(dir, 'pg')], 120_000);
  if (res.status === 0) {
    process.env.QC_TEST_POSTGRES_URL = res.stdout.trim();
    return;
  }
  (globalThis as { __postgresDir?: string }).__postgresDir = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
  const reason = `PostgreSQL could not be started (${(res.stderr || res.error?.message || '').trim()})`;
  if (process.env.CI) throw new Error(`${reason}; CI runs the learning-store tests on PostgreSQL (scripts/ci-extras.sh installs it)`);
  process.env.QC_TEST_POSTGRES_SKIP = reason;
  console.warn(`\n${reason}: the PostgreSQL learning-store tests are skipped. Install it with: apt-get install -y postgresql\n`);
}

/** `spawnSync`'s answer, without blocking the set-up's other starts: the exit status, the output, or why it did not run. */
function runScript(command: string, args: string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (error) => resolve({ status: null, stdout, stderr, error }));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
