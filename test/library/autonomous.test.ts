import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { AutonomousReport } from '../../store/library';
import type { AutonomousResult } from '../../domain/library';
import { runCli } from '../helpers/cli';
import { testDeps } from '../helpers/deps';
import { testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { startTestWorkers, testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';

describe('autonomous run in the sandbox', () => {
  let sandbox: SandboxHandle;
  let deps: ReturnType<typeof testDeps>;
  let client: Client;
  let workers: Worker[];
  let running: Promise<void>[];
  let connection: NativeConnection;
  let env: Record<string, string>;
  let id: string;
  let result: AutonomousResult;
  let report: AutonomousReport;

  beforeAll(async () => {
    // every LLM answer carries a typical mistake (unless its prompt teaches it away): there is something to learn
    sandbox = await testSandbox({ mistakeRate: 1 });
    deps = testDeps({ sandboxUrl: sandbox.url });
    client = await testClient();
    const taskQueue = uniqueTaskQueue('auto');
    env = { QUANTCODER_HOME: deps.home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue };
    ({ workers, connection } = await startTestWorkers(deps, taskQueue, deps.settings.config));
    running = workers.map((w) => w.run());
    // one strategy family (the corpus has one open volatility paper): what is learned applies to every iteration
    const started = await runCli(['auto', 'start', '--query', 'volatility targeting', '--max-iterations', '10', '--revisit', '--detach', '--json'], env);
    expect(started.code).toBe(0);
    id = (JSON.parse(started.stdout) as { id: string }).id;
    result = (await client.workflow.getHandle(id).result()) as AutonomousResult;
    const res = await runCli(['auto', 'report', id, '--json'], env);
    expect(res.code).toBe(0);
    report = JSON.parse(res.stdout) as AutonomousReport;
  }, 150_000);

  afterAll(async () => {
    workers.forEach((w) => w.shutdown());
    await Promise.allSettled(running);
    await connection.close();
    await client.connection.close();
    await deps.cleanup();
    await sandbox.stop();
  });

  it('runs ten iterations, each a research pipeline on a paper for the query, going round the papers again once none is new', async () => {
    expect(id).toMatch(/^auto-volatility-targeting-[0-9a-f]{7}$/);
    expect(result.reason).toBe('10 iteration(s) done');
    expect(result.iterations.map((i) => i.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const i of result.iterations) {
      expect(i.title).not.toBeNull();
      expect(i.compiled).toBe(true);
    }
    // the first pass takes each open paper once; later iterations revisit them
    const firstPass = result.iterations.filter((i) => !/-p\d+$/.test(i.childRunId)).map((i) => i.doi);
    expect(new Set(firstPass).size).toBe(firstPass.length);
    expect(result.iterations.some((i) => /-p2$/.test(i.childRunId))).toBe(true);
    const children = await Promise.all(result.iterations.map((i) => client.workflow.getHandle(i.childRunId).describe()));
    expect(children.map((c) => [c.type, c.status.name])).toEqual(result.iterations.map(() => ['researchPipeline', 'COMPLETED']));
    // history stays bounded: the run continued as new every few iterations
    const executions: string[] = [];
    for await (const w of client.workflow.list({ query: `WorkflowId = "${id}"` })) executions.push(w.status.name);
    expect(executions.filter((s) => s === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(2);

    const status = await runCli(['auto', 'status', id, '--json'], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id, status: 'COMPLETED', query: 'volatility targeting', reason: '10 iteration(s) done', accepted: result.accepted });
  });

  it('reports from the learning database the repairs and errors of every iteration, and success per category', async () => {
    expect(report.iterations).toHaveLength(10);
    const repairCalls = sandbox.stats().llm.byTask.repair?.calls ?? 0;
    // the repairs the report reads from the Algorithm rows are the repairs the LLM was asked for
    expect(report.iterations.reduce((s, i) => s + i.repairs, 0)).toBe(repairCalls);
    expect(report.iterations.map((i) => i.repairs)).toEqual(result.iterations.map((i) => i.repairAttempts));
    expect(repairCalls).toBeGreaterThan(0);
    const errors = await deps.prisma.errorRecord.count({ where: { runId: { in: result.iterations.map((i) => i.childRunId) } } });
    expect(report.iterations.reduce((s, i) => s + i.errors, 0)).toBe(errors);
    expect(report.families.map((f) => f.family).sort()).toEqual([...new Set(result.iterations.map((i) => i.family))].sort());
    for (const f of report.families) expect(f.successRate).toBeCloseTo(f.accepted / f.strategies, 9);
    expect(report.repairs.firstHalf).not.toBeNull();
    expect(report.repairs.secondHalf).not.toBeNull();

    const text = await runCli(['auto', 'report', id], env);
    expect(text.stdout).toMatch(/Repairs per strategy: first half \d\.\d\d, second half \d\.\d\d/);
    expect(text.stdout).toMatch(/Error rate per attempt: first half \d+%, second half \d+%/);
    expect(text.stdout).toMatch(/Category\s+Strategies\s+Compiled\s+Accepted\s+Success\s+Mean Sharpe/);
  });

  it('needs fewer repair attempts per strategy in its second half than in its first, having learned the fixes', async () => {
    expect(report.repairs.firstHalf!).toBeGreaterThan(0);
    expect(report.repairs.secondHalf!).toBeLessThan(report.repairs.firstHalf!);
    // why: an error repaired early on is offered, with its fix, to every later generate prompt of the family
    const firstRepaired = result.iterations.find((i) => i.repairAttempts > 0)!;
    const learned = await deps.prisma.errorRecord.findFirstOrThrow({ where: { runId: firstRepaired.childRunId, fixed: true } });
    const last = result.iterations.at(-1)!;
    const call = await deps.prisma.llmCall.findFirstOrThrow({ where: { runId: last.childRunId, task: 'generate' } });
    const prompt = await deps.artifacts.getText(call.promptSha256);
    expect(prompt).toContain('Learned from earlier runs');
    expect(prompt).toContain(learned.signature);
  });
});
