import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { packageRoot } from '../config/package-root';
import { startSandbox, type SandboxConfig, type SandboxHandle } from '../sandbox';
import { startDevServer } from '../worker/temporal-server';
import { workflowBundleForWorker } from '../worker/bundle';
import { createWorkerSet, WORKFLOWS_PATH } from '../worker/workers';
import type { BenchDeps } from './homes';

/** Everything the figures share: one Temporal dev server, one sandbox, one workflow bundle. */
export interface Lab {
  address: string;
  client: Client;
  sandbox: SandboxHandle;
  /** Sets the sandbox's latencies for the next figure and zeroes its counters. */
  resetSandbox(config: Partial<SandboxConfig>): void;
  /** The production worker set, in this process, on its own task queue, while `fn` runs. */
  withWorkers<T>(deps: BenchDeps, fn: (taskQueue: string) => Promise<T>): Promise<T>;
  /** The production worker set, polling until it is stopped: for runs that follow one another on one worker, as on a `quantcoder worker`. */
  startWorkers(deps: BenchDeps): Promise<RunningWorkers>;
  /** Workers for Temporal's floor (bench/floor-workflows.ts), polling a workflow queue and a no-op activity queue until they are stopped. */
  startFloorWorkers(): Promise<RunningWorkers & { activityQueue: string }>;
  close(): Promise<void>;
}

/** Workers polling a task queue of their own until `stop`. */
export interface RunningWorkers {
  taskQueue: string;
  stop(): Promise<void>;
}

function running(taskQueue: string, workers: Worker[]): RunningWorkers {
  const runs = workers.map((w) => w.run());
  return {
    taskQueue,
    async stop() {
      workers.forEach((w) => w.shutdown());
      await Promise.allSettled(runs);
    },
  };
}

/** Prints a progress line (stderr, so the table on stdout stays clean). */
export function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function openLab(): Promise<Lab> {
  // the SDK's own logs would drown the progress lines; errors still show
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  progress('starting the Temporal dev server and the sandbox');
  // the server's own error lines (persistence retries under load) would interleave with the progress lines
  const { env } = await startDevServer({ logLevel: 'never' });
  const sandbox = await startSandbox({ port: 0 });
  const connection = await Connection.connect({ address: env.address });
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address: env.address });
  // the build's bundle when it matches the code (as `quantcoder worker` uses it), else one made now
  const bundle: WorkflowBundleOption = await workflowBundleForWorker({ workflowsPath: WORKFLOWS_PATH, warn: progress });
  let floorBundle: WorkflowBundleOption | undefined;

  const lab: Lab = {
    address: env.address,
    client,
    sandbox,
    resetSandbox(config) {
      sandbox.configure(config);
      sandbox.resetStats();
    },
    async startWorkers(deps) {
      const taskQueue = uniqueName('bench');
      const workers = await createWorkerSet({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        config: deps.settings.config,
        deps,
        workflowBundle: bundle,
        shutdownGraceTime: '1 second',
      });
      return running(taskQueue, workers);
    },
    async withWorkers(deps, fn) {
      const workers = await lab.startWorkers(deps);
      try {
        return await fn(workers.taskQueue);
      } finally {
        await workers.stop();
      }
    },
    async startFloorWorkers() {
      floorBundle ??= { code: (await bundleWorkflowCode({ workflowsPath: require.resolve('./floor-workflows'), logger: new DefaultLogger('ERROR') })).code };
      const taskQueue = uniqueName('bench-floor');
      const activityQueue = `${taskQueue}-noop`;
      const common = { connection: nativeConnection, namespace: 'default', shutdownGraceTime: '1 second' as const };
      const workers = await Promise.all([
        // the same sticky-queue setting as QuantCoder's workflow worker
        // the no-op also runs here, as a local activity, for the floor of the same steps
        Worker.create({ ...common, taskQueue, workflowBundle: floorBundle, stickyQueueScheduleToStartTimeout: '3 seconds', activities: { noop: async () => undefined } }),
        Worker.create({ ...common, taskQueue: activityQueue, activities: { noop: async () => undefined } }),
      ]);
      return { ...running(taskQueue, workers), activityQueue };
    },
    async close() {
      await connection.close();
      await nativeConnection.close();
      await sandbox.stop();
      await env.teardown();
    },
  };
  return lab;
}

/** A `quantcoder worker` process, exactly as an operator starts it. */
export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Epoch ms when it was spawned, and when it printed that it polls. */
  spawnedAt: number;
  readyAt: number;
  output(): string;
}

export function startWorkerProcess(env: { home: string; address: string; taskQueue: string; extraEnv?: NodeJS.ProcessEnv }, timeoutMs = 120_000): Promise<WorkerProcess> {
  const bin = path.join(packageRoot(), 'bin', 'run.js');
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [bin, 'worker'], {
    cwd: packageRoot(),
    env: { ...process.env, ...env.extraEnv, QUANTCODER_HOME: env.home, TEMPORAL_ADDRESS: env.address, QUANTCODER_TASK_QUEUE: env.taskQueue, QUANTCODER_PROFILE: 'sandbox' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // keep draining both pipes for the process's whole life, or a chatty worker would block on write
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`quantcoder worker was not polling after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      if (!/Worker polling/.test(output)) return;
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      resolve({ child, pid: child.pid!, spawnedAt, readyAt: Date.now(), output: () => output });
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`quantcoder worker exited (${code}) before it polled:\n${output}`));
    };
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Ends a worker process started by the bench and waits until it is gone. */
export async function stopWorkerProcess(worker: WorkerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const { child } = worker;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
