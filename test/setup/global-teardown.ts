import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

export default async function globalTeardown(): Promise<void> {
  const env = (globalThis as { __temporalEnv?: TestWorkflowEnvironment }).__temporalEnv;
  await env?.teardown();
  const pgDir = (globalThis as { __postgresDir?: string }).__postgresDir;
  if (pgDir) {
    spawnSync('bash', [path.join(__dirname, '..', '..', 'scripts', 'postgres-local.sh'), 'stop', path.join(pgDir, 'pg')], { timeout: 60_000 });
    spawnSync('rm', ['-rf', pgDir]);
  }
}
