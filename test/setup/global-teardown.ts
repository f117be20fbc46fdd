import type { TestWorkflowEnvironment } from '@temporalio/testing';

export default async function globalTeardown(): Promise<void> {
  const env = (globalThis as { __temporalEnv?: TestWorkflowEnvironment }).__temporalEnv;
  await env?.teardown();
}
