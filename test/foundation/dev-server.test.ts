import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import { floorSequential } from '../../bench/floor-workflows';
import { quietRuntime, testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';
import { DevServerStartError, startDevServer } from '../../worker/temporal-server';

/**
 * A stand-in for the Temporal CLI that fails its first start the way a loaded machine or a taken
 * port does (prints an error and exits), then behaves like the real CLI.
 */
function flakyCli(dir: string, realBinary: string | undefined, failures: number): string {
  const script = path.join(dir, 'temporal');
  const count = path.join(dir, 'starts');
  fs.writeFileSync(
    script,
    `#!/bin/sh
echo "$@" >> "${count}"
n=$(wc -l < "${count}")
if [ "$n" -le ${failures} ] || [ -z "${realBinary ?? ''}" ]; then
  echo "unable to start server: listen tcp: address already in use (start $n)" >&2
  exit 1
fi
exec "${realBinary ?? ''}" "$@"
`,
    { mode: 0o755 },
  );
  return script;
}

const EventType = temporal.api.enums.v1.EventType;
const startsOf = (dir: string) => fs.readFileSync(path.join(dir, 'starts'), 'utf8').trim().split('\n');
const portOf = (args: string) => /--port (\d+)/.exec(args)?.[1];

describe('starting the Temporal dev server', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-devserver-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('retries a failed first start once, on a fresh port, after reporting what the server printed', async () => {
    const real = process.env.QC_TEST_TEMPORAL_BINARY;
    if (!real) throw new Error('This test wraps the Temporal CLI the global setup found; none was found (the SDK downloaded its own)');
    const cli = flakyCli(dir, real, 1);
    const reported: DevServerStartError[] = [];
    const { env } = await startDevServer({ env: { ...process.env, TEMPORAL_CLI_PATH: cli }, onRetry: (e) => reported.push(e) });
    try {
      const starts = startsOf(dir);
      expect(starts).toHaveLength(2);
      expect(portOf(starts[0]!)).not.toBe(portOf(starts[1]!));
      expect(env.address.endsWith(`:${portOf(starts[1]!)}`)).toBe(true);
      expect(reported).toHaveLength(1);
      expect(reported[0]!.message).toContain('address already in use (start 1)');
      const connection = await Connection.connect({ address: env.address });
      await expect(connection.workflowService.describeNamespace({ namespace: 'default' })).resolves.toBeDefined();
      await connection.close();
    } finally {
      await env.teardown();
    }
  }, 60_000);

  it('gives up after the retry with a typed error that carries the server output', async () => {
    const cli = flakyCli(dir, undefined, 99);
    const reported: DevServerStartError[] = [];
    const failure = await startDevServer({ env: { ...process.env, TEMPORAL_CLI_PATH: cli }, onRetry: (e) => reported.push(e) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(DevServerStartError);
    expect((failure as Error).message).toMatch(/exited with code 1[\s\S]*address already in use \(start 2\)/);
    expect(reported).toHaveLength(1);
    expect(startsOf(dir)).toHaveLength(2);
  });

  it('reports a server that never answers within the start timeout, and stops it', async () => {
    const script = path.join(dir, 'temporal');
    fs.writeFileSync(script, `#!/bin/sh\necho "$$" >> "${path.join(dir, 'pids')}"\necho "waiting for persistence"\nexec sleep 60\n`, { mode: 0o755 });
    const failure = await startDevServer({ env: { ...process.env, TEMPORAL_CLI_PATH: script }, startTimeoutMs: 1500 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((failure as Error).message).toMatch(/did not answer within 2 s[\s\S]*waiting for persistence/);
    const pids = fs.readFileSync(path.join(dir, 'pids'), 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 30_000);
});

/**
 * The dev server's history service reads its task queues at most 20 times a second per shard by
 * default, and it has one shard: once that burst is spent, every activity or workflow task waits
 * about 40 ms before a waiting worker gets it. Measured here from the server's own event times on
 * the server the test run uses, well past the burst: no-op activities in sequence, each on a queue of
 * its own, so each one is two hand-overs (the activity task, then the workflow task after it).
 */
describe('the dev server QuantCoder starts', () => {
  const ACTIVITIES = 60;

  it('hands each task to a waiting worker at once, not at the rate a cluster shard is read', async () => {
    quietRuntime();
    const taskQueue = uniqueTaskQueue('handover');
    const activityQueue = `${taskQueue}-noop`;
    const connection = await NativeConnection.connect({ address: testAddress() });
    const client = await testClient();
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../bench/floor-workflows'), logger: new DefaultLogger('ERROR') });
    const workers = await Promise.all([
      Worker.create({ connection, taskQueue, workflowBundle: { code } }),
      Worker.create({ connection, taskQueue: activityQueue, activities: { noop: async () => undefined } }),
    ]);
    const workflowId = `handover-${taskQueue}`;
    try {
      const running = workers.map((w) => w.run());
      await client.workflow.execute(floorSequential, { taskQueue, workflowId, args: [{ activities: ACTIVITIES, activityQueue }] });
      for (const w of workers) w.shutdown();
      await Promise.all(running);
    } finally {
      await connection.close();
    }
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    await client.connection.close();
    const ms = (e: temporal.api.history.v1.IHistoryEvent) => Number(e.eventTime!.seconds) * 1000 + e.eventTime!.nanos! / 1e6;
    const waits: number[] = [];
    const scheduled = new Map<string, number>();
    for (const e of events) {
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED || e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) scheduled.set(String(e.eventId), ms(e));
      const from = e.workflowTaskStartedEventAttributes?.scheduledEventId ?? e.activityTaskStartedEventAttributes?.scheduledEventId;
      if (from != null) waits.push(ms(e) - scheduled.get(String(from))!);
    }
    expect(waits).toHaveLength(2 * ACTIVITIES + 1);
    // past the limiter's burst (its first second): with the per-shard limit each wait is 35–50 ms
    const late = waits.slice(60).sort((a, b) => a - b);
    const median = late[Math.floor(late.length / 2)]!;
    expect(median).toBeLessThan(20);
  }, 60_000);
});
