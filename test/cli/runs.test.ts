import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { crossrefWorks, fakeHttp } from '../helpers/fake-http';
import { runCli, startCli, tempHome, until, waitForExit } from '../helpers/cli';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';
import { RUN_KIND, RUN_TOPIC } from '../../domain/search-attributes';
import { STACK_LINE, unwrap } from './cli-output';

// every CLI call starts a Node process; on a busy machine a few of them take a while
jest.setTimeout(120_000);

type Runs = { query: string; runs: Array<{ id: string; kind: string; status: string; topic: string | null }> };

describe('quantcoder runs (the real CLI)', () => {
  let client: Client;
  let crossref: Awaited<ReturnType<typeof fakeHttp>>;
  let worker: Awaited<ReturnType<typeof startCli>>;
  let home: string;
  let taskQueue: string;
  let env: NodeJS.ProcessEnv;
  /** Queries containing "gated" are answered once this settles; those containing "hang" are answered "busy" after 3 s, so their searches keep retrying. */
  let gate: Promise<void> = Promise.resolve();
  /** The "busy" answers still to come: the file's end clears them, or they would hold its test process open. */
  const busy = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    client = await testClient();
    crossref = await fakeHttp((req, res) => {
      if (req.url?.includes('hang')) return void busy.add(setTimeout(() => res.writeHead(503).end('busy'), 3000));
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end(crossrefWorks(['Time Series Momentum', 'Value and Momentum Everywhere']));
      if (req.url?.includes('gated')) void gate.then(answer);
      else answer();
    });
    home = tempHome({ crossref: { baseUrl: crossref.url, timeoutSeconds: 30 } });
    taskQueue = uniqueTaskQueue('runs');
    env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue };
    worker = await startCli(['worker'], env, /Worker polling/);
  }, 90_000);

  afterAll(async () => {
    worker?.child.kill('SIGTERM');
    if (worker) await waitForExit(worker.child);
    busy.forEach(clearTimeout);
    await crossref?.close();
    await client?.connection.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const startSearch = (query: string, id = `search-${query}-${randomUUID().slice(0, 6)}`, queue = taskQueue) =>
    client.workflow.start('searchPapers', {
      taskQueue: queue,
      workflowId: id,
      args: [{ query, maxResults: 2, source: 'crossref' }],
      typedSearchAttributes: [
        { key: RUN_KIND, value: 'search' },
        { key: RUN_TOPIC, value: query },
      ],
    });

  const list = async (...flags: string[]): Promise<Runs> => {
    const res = await runCli(['runs', 'list', '--json', '--limit', '200', ...flags], env);
    expect(res.code).toBe(0);
    return JSON.parse(res.stdout) as Runs;
  };

  it('lists runs filtered by kind and status, with their topic', async () => {
    // runs on a queue no worker polls stay running; the pipeline one is terminated
    const idle = uniqueTaskQueue('idle');
    const running = await startSearch(`listed-${randomUUID().slice(0, 6)}`, undefined, idle);
    const topic = `terminated pipeline ${randomUUID().slice(0, 6)}`;
    const pipeline = await client.workflow.start('researchPipeline', {
      taskQueue: idle,
      workflowId: `pipeline-listed-${randomUUID().slice(0, 6)}`,
      args: [{}],
      typedSearchAttributes: [
        { key: RUN_KIND, value: 'pipeline' },
        { key: RUN_TOPIC, value: topic },
      ],
    });
    await pipeline.terminate('test');
    let runningSearches!: Runs;
    await until(async () => (runningSearches = await list('--kind', 'search', '--status', 'running')).runs.some((r) => r.id === running.workflowId), 15_000, 'the running search to be visible');
    expect(runningSearches.query).toBe('QuantCoderKind="search" AND ExecutionStatus="Running"');
    expect(runningSearches.runs.every((r) => r.kind === 'search' && r.status === 'running')).toBe(true);
    expect(runningSearches.runs.map((r) => r.id)).not.toContain(pipeline.workflowId);

    await until(async () => (await list('--kind', 'pipeline', '--status', 'terminated')).runs.some((r) => r.id === pipeline.workflowId), 15_000, 'the terminated pipeline to be visible');
    const text = await runCli(['runs', 'list', '--kind', 'pipeline', '--status', 'terminated', '--limit', '200'], env);
    const row = text.stdout.split('\n').find((l) => l.startsWith(pipeline.workflowId));
    expect(row).toMatch(/pipeline\s+terminated\s+\d{4}-\d\d-\d\dT\S+\s+\d{4}-\d\d-\d\dT\S+\s+terminated pipeline/);
    expect((await list('--kind', 'search', '--status', 'terminated')).runs.map((r) => r.id)).not.toContain(running.workflowId);
    await running.terminate('test');
  });

  it('refuses a status that is not one of the documented ones', async () => {
    const res = await runCli(['runs', 'list', '--status', 'sleeping'], env);
    expect(res.code).not.toBe(0);
    expect(unwrap(res.stderr)).toMatch(/Expected --status=sleeping to be one of: running, completed, failed, cancelled, terminated, timed_out/);
  });

  it('watches a run until it ends and prints its result', async () => {
    let release!: () => void;
    gate = new Promise<void>((resolve) => (release = resolve));
    try {
      const handle = await startSearch('gated-watch');
      await until(() => crossref.requests.some((r) => r.url.includes('gated-watch')), 20_000, 'the search to ask CrossRef');
      // the run cannot end before the watcher is attached: CrossRef answers only once it is
      const watcher = await startCli(['runs', 'watch', handle.workflowId], env, /Watching/);
      release();
      expect(await waitForExit(watcher.child)).toBe(0);
      expect(watcher.output()).toContain(`Watching ${handle.workflowId} (searchPapers)`);
      expect(watcher.output()).toContain('Value and Momentum Everywhere');
      expect((await handle.describe()).status.name).toBe('COMPLETED');
    } finally {
      release();
    }
  });

  it('cancels a running run, and says so when it has already ended', async () => {
    const handle = await startSearch('hang-cancel');
    await until(() => crossref.requests.some((r) => r.url.includes('hang-cancel')), 20_000, 'the search activity to be in flight');
    const res = await runCli(['runs', 'cancel', handle.workflowId, '--wait', '--json'], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ id: handle.workflowId, type: 'searchPapers', cancelRequested: true, status: 'cancelled' });
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const again = await runCli(['runs', 'cancel', handle.workflowId], env);
    expect(again.code).not.toBe(0);
    expect(unwrap(again.stderr)).toContain(`${handle.workflowId} has already ended (cancelled)`);
  });

  it('retries an ended run with the same type, input and search attributes under the next -rN id', async () => {
    const original = await startSearch('hang-retry');
    await until(() => crossref.requests.some((r) => r.url.includes('hang-retry')), 20_000, 'the search activity to be in flight');
    const refused = await runCli(['runs', 'retry', original.workflowId], env);
    expect(refused.code).not.toBe(0);
    expect(unwrap(refused.stderr)).toContain(`${original.workflowId} is still running; cancel it first`);
    await original.cancel();
    await original.result().catch(() => undefined);
    const asked = () => crossref.requests.filter((r) => r.url.includes('hang-retry')).length;
    const askedByOriginal = asked();

    const res = await runCli(['runs', 'retry', original.workflowId, '--json'], env);
    expect(res.code).toBe(0);
    const retried = JSON.parse(res.stdout) as { id: string; retryOf: string; type: string };
    expect(retried).toMatchObject({ id: `${original.workflowId}-r1`, retryOf: original.workflowId, type: 'searchPapers', taskQueue });
    const copy = client.workflow.getHandle(retried.id);
    const description = await copy.describe();
    expect(description.type).toBe('searchPapers');
    expect(description.typedSearchAttributes.get(RUN_KIND)).toBe('search');
    expect(description.typedSearchAttributes.get(RUN_TOPIC)).toBe('hang-retry');
    const input = (await copy.fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    expect(JSON.parse(Buffer.from(input[0]!.data!).toString())).toEqual({ query: 'hang-retry', maxResults: 2, source: 'crossref' });
    await until(() => asked() > askedByOriginal, 20_000, 'the retried search to query CrossRef again');

    await copy.terminate('test');
    const second = await runCli(['runs', 'retry', retried.id, '--json'], env);
    expect(JSON.parse(second.stdout).id).toBe(`${original.workflowId}-r2`);
    await client.workflow.getHandle(`${original.workflowId}-r2`).terminate('test');
    // the original retried again takes the next free number
    const third = await runCli(['runs', 'retry', original.workflowId], env);
    expect(third.stdout).toContain(`Started ${original.workflowId}-r3 (searchPapers, retry of ${original.workflowId})`);
    await client.workflow.getHandle(`${original.workflowId}-r3`).terminate('test');
  });

  it('names the id when no run has it', async () => {
    const res = await runCli(['runs', 'watch', 'search-nothing-here'], env);
    expect(res.code).not.toBe(0);
    expect(unwrap(res.stderr)).toContain('No run with id search-nothing-here');
    expect(res.stderr).not.toMatch(STACK_LINE);
  });
});
