import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { stopPostgres } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const env = (globalThis as { __temporalEnv?: TestWorkflowEnvironment }).__temporalEnv;
  await env?.teardown();
  stopPostgres();
}
