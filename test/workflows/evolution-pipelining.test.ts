import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { fetchChain, type Execution } from '../../bench/histories';
import { evolutionRun } from '../../workflows';
import { evolutionInput } from '../helpers/evolution';
import { testDeps } from '../helpers/deps';
import { testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testClient, testWorkflowCode, uniqueTaskQueue, withWorkers } from '../helpers/temporal';

const EventType = temporal.api.enums.v1.EventType;

/** The first JSON payload of an activity's input or result. */
function payload<T>(p: temporal.api.common.v1.IPayloads | null | undefined): T {
  return JSON.parse(Buffer.from(p!.payloads![0]!.data!).toString('utf8')) as T;
}

/** What one generation's history shows of its compiles and backtests, read from events alone. */
interface Shape {
  /** Workflow tasks (by completed event id) that scheduled a proposal. */
  proposalTasks: Set<number>;
  proposals: number;
  backtests: number;
  maxRunningBacktests: number;
  maxRunningCompiles: number;
  /** Compiles scheduled while every backtest slot was busy: the compile ran ahead. */
  compilesAheadOfFreeSlot: number;
  /** Backtests scheduled by the workflow task that saw another backtest end, while a third still ran. */
  rollingRefills: number;
  /** Workflow tasks that left a backtest slot free while a compiled program waited. */
  idleSlotsWithWaiting: number[];
}

/**
 * Reads one generation's history as its workflow saw it. A workflow task knows the events before its
 * WorkflowTaskStarted (events that arrive while it runs are written after its commands); its
 * commands are the events that name its WorkflowTaskCompleted.
 */
function shape(exec: Execution, concurrency: number): Shape {
  const events = exec.events;
  const s: Shape = { proposalTasks: new Set(), proposals: 0, backtests: 0, maxRunningBacktests: 0, maxRunningCompiles: 0, compilesAheadOfFreeSlot: 0, rollingRefills: 0, idleSlotsWithWaiting: [] };
  const names = new Map<number, string>();
  type Step = { id: number; kind: 'scheduled' | 'completed'; name: string; task: number; compileId?: string; compiled?: boolean };
  const steps: Step[] = [];
  const tasks: Array<{ started: number; completed: number }> = [];
  for (const e of events) {
    const id = Number(e.eventId);
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) tasks.push({ started: Number(e.workflowTaskCompletedEventAttributes!.startedEventId), completed: id });
    const a = e.activityTaskScheduledEventAttributes;
    if (a) {
      const name = a.activityType!.name!;
      names.set(id, name);
      steps.push({ id, kind: 'scheduled', name, task: Number(a.workflowTaskCompletedEventId), ...(name === 'runBacktest' ? { compileId: payload<{ compileId: string }>(a.input).compileId } : {}) });
      if (name === 'proposeVariant') {
        s.proposals++;
        s.proposalTasks.add(Number(a.workflowTaskCompletedEventId));
      }
      if (name === 'runBacktest') s.backtests++;
    }
    const c = e.activityTaskCompletedEventAttributes;
    if (c) {
      const name = names.get(Number(c.scheduledEventId))!;
      const out = name === 'compileAlgorithm' ? payload<{ compiled: boolean; compileId: string }>(c.result) : null;
      steps.push({ id, kind: 'completed', name, task: -1, ...(out ? { compileId: out.compileId, compiled: out.compiled } : {}) });
    }
  }
  let previousStarted = 0;
  for (const t of tasks) {
    const known = (x: Step) => x.id < t.started;
    const through = (x: Step) => x.id < t.started || x.task === t.completed;
    const count = (f: (x: Step) => boolean) => steps.filter(f).length;
    const running = (name: string, upTo: (x: Step) => boolean) => count((x) => x.name === name && x.kind === 'scheduled' && upTo(x)) - count((x) => x.name === name && x.kind === 'completed' && known(x));
    const backtestsBefore = running('runBacktest', known);
    const backtestsAfter = running('runBacktest', through);
    s.maxRunningBacktests = Math.max(s.maxRunningBacktests, backtestsAfter);
    s.maxRunningCompiles = Math.max(s.maxRunningCompiles, running('compileAlgorithm', through));
    const mine = steps.filter((x) => x.kind === 'scheduled' && x.task === t.completed);
    // a compile this task asked for while every backtest slot stayed busy: compiles run ahead
    if (mine.some((x) => x.name === 'compileAlgorithm') && backtestsAfter >= concurrency) s.compilesAheadOfFreeSlot++;
    // a backtest that ended since the previous task freed a slot, refilled here while another backtest still runs
    const ended = count((x) => x.name === 'runBacktest' && x.kind === 'completed' && x.id < t.started && x.id > previousStarted);
    if (ended > 0 && mine.some((x) => x.name === 'runBacktest') && backtestsBefore > 0) s.rollingRefills++;
    // programs compiled (as this task knew) that have no backtest yet, after this task's commands
    const backtested = new Set(steps.filter((x) => x.name === 'runBacktest' && x.kind === 'scheduled' && through(x)).map((x) => x.compileId));
    const waiting = steps.filter((x) => x.name === 'compileAlgorithm' && x.kind === 'completed' && x.compiled && known(x) && !backtested.has(x.compileId));
    if (waiting.length > 0 && backtestsAfter < concurrency) s.idleSlotsWithWaiting.push(t.completed);
    previousStarted = t.started;
  }
  return s;
}

describe('an evolution generation runs as a pipeline', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    // backtests far longer than a compile, as on QuantConnect: a compile has time to run ahead
    sandbox = await testSandbox({ llmLatencyMs: 100, compileLatencyMs: 0, backtestLatencyMs: 1200 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('proposes the whole generation at once, compiles ahead of the backtests, and refills a freed backtest slot in the same workflow task', async () => {
    const concurrency = 2;
    const deps = testDeps({ sandboxUrl: sandbox.url, config: { llm: { concurrency: 8 }, quantconnect: { concurrency: 4, pollSeconds: 0.05 } } });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('evopipe');
    const workflowId = `evolve-${taskQueue}`;
    try {
      const chain = await withWorkers(
        deps,
        taskQueue,
        async () => {
          // seeded, so every run makes the same programs (7 and 5 backtests): with two slots, enough
          // compiles come after both slots filled for the properties below to show whatever the load
          const handle = await client.workflow.start(evolutionRun, {
            taskQueue,
            workflowId,
            args: [evolutionInput('pipe', { generations: 2, variants: 8, elite: 2, patience: 5, concurrency, seed: 1 })],
          });
          const result = await handle.result();
          expect(result.generation).toBe(2);
          return fetchChain(client, workflowId, handle.firstExecutionRunId);
        },
        deps.settings.config,
      );
      const generations = chain.slice(1).map((exec) => shape(exec, concurrency));
      for (const g of generations) {
        // every proposal of the generation is asked for by one workflow task
        expect(g.proposals).toBe(8);
        expect(g.proposalTasks.size).toBe(1);
        // --concurrency bounds compiles and backtests, each on its own
        expect(g.maxRunningBacktests).toBeLessThanOrEqual(concurrency);
        expect(g.maxRunningCompiles).toBeLessThanOrEqual(concurrency);
        // a rolling window: no workflow task leaves a slot free while a compiled program waits
        expect(g.idleSlotsWithWaiting).toEqual([]);
      }
      // every execution replays to the same commands (local activities resolve from their markers at other points on replay)
      for (const exec of chain) await Worker.runReplayHistory(testWorkflowCode(), { events: exec.events }, workflowId);
      const total = (f: (g: Shape) => number) => generations.reduce((sum, g) => sum + f(g), 0);
      // (not vacuous) the run did backtest several programs per generation, two at a time
      expect(total((g) => g.backtests)).toBeGreaterThanOrEqual(2 * concurrency);
      expect(Math.max(...generations.map((g) => g.maxRunningBacktests))).toBe(concurrency);
      // compiles ran while every backtest slot was busy (a project is not held through a backtest)
      expect(total((g) => g.compilesAheadOfFreeSlot)).toBeGreaterThan(0);
      // a slot that freed was refilled while the other backtest still ran (no waiting for a whole batch)
      expect(total((g) => g.rollingRefills)).toBeGreaterThan(0);
    } finally {
      await client.connection.close();
      await deps.cleanup();
    }
  }, 180_000);
});
