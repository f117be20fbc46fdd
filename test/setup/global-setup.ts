import { spawnSync } from 'node:child_process';
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
  const [{ env, resolved }, bundle] = await Promise.all([startDevServer({
      ui: true,
      onRetry: (err) => process.stderr.write(`\n${err.message}\nRetrying once on a fresh port.\n`),
    }), ensureTestWorkflowBundle()]);
  (globalThis as { __temporalEnv?: unknown }).__temporalEnv = env;
  process.env.QC_TEST_TEMPORAL_ADDRESS = env.address;
  process.env.QC_TEST_TEMPORAL_BINARY = resolved.path ?? '';
  process.env.QC_TEST_WORKFLOW_BUNDLE = bundle.codePath;
  // The Web UI listens on the frontend port + 1000 when no UI port is given.
  process.env.QC_TEST_TEMPORAL_UI_URL = `http://127.0.0.1:${Number(env.address.split(':').pop()) + 1000}`;
  startPostgres();
}

/**
 * One throwaway PostgreSQL server per test run (Debian's packages), so the learning-store tests run
 * on PostgreSQL as well as SQLite. Missing outside CI: those tests are skipped with the reason printed;
 * missing in CI: the run fails.
 */
function startPostgres(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-test-pg-'));
  fs.chmodSync(dir, 0o755); // the server runs as the postgres user when the tests run as root
  const script = path.join(__dirname, '..', '..', 'scripts', 'postgres-local.sh');
  const res = spawnSync('bash', [script, 'start', path.join(dir, 'pg')], { encoding: 'utf8', timeout: 120_000 });
  if (res.status === 0) {
    process.env.QC_TEST_POSTGRES_URL = res.stdout.trim();
    (globalThis as { __postgresDir?: string }).__postgresDir = dir;
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const reason = `PostgreSQL could not be started (${(res.stderr || res.error?.message || '').trim()})`;
  if (process.env.CI) throw new Error(`${reason}; CI runs the learning-store tests on PostgreSQL (scripts/ci-extras.sh installs it)`);
  process.env.QC_TEST_POSTGRES_SKIP = reason;
  console.warn(`\n${reason}: the PostgreSQL learning-store tests are skipped. Install it with: apt-get install -y postgresql\n`);
}
