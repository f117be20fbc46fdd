import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type ActivityInterceptorsFactory, type Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { globalHandlers } from '@temporalio/worker/lib/workflow/vm-shared';
import { createWorkerSet, WORKFLOWS_PATH } from '../../worker/workers';
import type { ActivityDeps } from '../../activities';
import { resolveConfig, type QuantCoderConfig } from '../../domain/config';

/** The address of the Temporal dev server the global setup started for this test run. */
export function testAddress(): string {
  const address = process.env.QC_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('QC_TEST_TEMPORAL_ADDRESS is not set: run tests through jest (global setup starts the server)');
  return address;
}

/**
 * The workflow code every test worker runs: the bundle the global setup made once for this run
 * (webpack per test file would cost seconds each), or the sources when run without it.
 */
export function testWorkflowCode(): { workflowBundle: WorkflowBundleOption } | { workflowsPath: string } {
  const codePath = process.env.QC_TEST_WORKFLOW_BUNDLE;
  return codePath ? { workflowBundle: { codePath } } : { workflowsPath: WORKFLOWS_PATH };
}

// Workflows on the test's own thread (the SDK's debug mode) install process-wide hooks the SDK never
// removes: a promise hook that records the stack of every promise the process creates (for the
// stack-trace query) and an Error.prepareStackTrace. Under jest the recording cannot work (workflow
// errors format through jest's own Error.prepareStackTrace, so the hook finds no stack to keep), yet
// each promise pays for formatting one; nothing in the tests asks for a workflow's stack trace.
// So the hooks go as soon as a worker set exists, and at the end of every file for workers made
// without this helper (replays): jest loads a fresh SDK for each file in the same process, whose
// hooks would otherwise pile up file after file.
function removeWorkflowStackHooks(): void {
  if (globalHandlers.installed) globalHandlers.uninstall();
}
afterAll(removeWorkflowStackHooks);

let runtimeReady = false;
/**
 * The SDK's runtime logging errors only: its INFO lines (a worker's state changes) and the core's
 * warnings (a workflow task a replay test fails on purpose) would fill the test output.
 */
export function quietRuntime(): void {
  if (runtimeReady) return;
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  runtimeReady = true;
}

/** A task queue no other test uses, so tests never pick up each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function testClient(): Promise<Client> {
  const connection = await Connection.connect({ address: testAddress() });
  return new Client({ connection });
}

export function testConfig(overrides: Record<string, unknown> = {}): QuantCoderConfig {
  return resolveConfig(overrides, {});
}

/** The same worker set production runs, on a test task queue, with the given activity deps. */
export async function startTestWorkers(
  deps: ActivityDeps,
  taskQueue: string,
  config = testConfig(),
  activityInterceptors?: ActivityInterceptorsFactory[],
): Promise<{ workers: Worker[]; connection: NativeConnection }> {
  quietRuntime();
  const connection = await NativeConnection.connect({ address: testAddress() });
  const code = testWorkflowCode();
  const workflowBundle = 'workflowBundle' in code ? code.workflowBundle : undefined;
  // workflows on the test process's own thread: the same bundle and sandbox as a worker process, without a thread to start per test
  const workers = await createWorkerSet({ connection, namespace: 'default', taskQueue, config, deps, workflowBundle, shutdownGraceTime: '1 second', activityInterceptors, workflowThread: 'main-thread' });
  removeWorkflowStackHooks();
  return { workers, connection };
}

/** Runs workers while `fn` runs, then shuts them down cleanly. */
export async function withWorkers<T>(deps: ActivityDeps, taskQueue: string, fn: () => Promise<T>, config?: QuantCoderConfig, activityInterceptors?: ActivityInterceptorsFactory[]): Promise<T> {
  const { workers, connection } = await startTestWorkers(deps, taskQueue, config, activityInterceptors);
  const running = workers.map((w) => w.run());
  try {
    return await fn();
  } finally {
    workers.forEach((w) => w.shutdown());
    await Promise.allSettled(running);
    await connection.close();
  }
}
