import { evolutionRun, evolutionStatusQuery, pauseUpdate, resumeUpdate, stopUpdate } from '../../workflows';
import { evolutionInput } from '../helpers/evolution';
import { testDeps } from '../helpers/deps';
import { sandboxStats, testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testClient, uniqueTaskQueue, withWorkers } from '../helpers/temporal';
import { until } from '../helpers/cli';

describe('evolution runs in the sandbox', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await testSandbox();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('score the baseline, climb the landscape, and never backtest the same program twice', async () => {
    // A model that reads the fitness it is shown and mostly steps toward better values, as a real
    // LLM does: the baseline sits near the landscape's optimum, so a model stepping at random can
    // miss it in all twelve proposals (seen once), and the climb is what this test holds the
    // workflow to keep. Whether selection beats chance is selection.test.ts's question.
    const climbing = await testSandbox({ mutationMode: 'biased-toward-optimum' });
    const deps = testDeps({ sandboxUrl: climbing.url });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('evo');
    const before = await sandboxStats(climbing.url);
    try {
      const result = await withWorkers(
        deps,
        taskQueue,
        () => client.workflow.execute(evolutionRun, { taskQueue, workflowId: `evolve-${taskQueue}`, args: [evolutionInput('climb', { generations: 4 })] }),
        deps.settings.config,
      );
      expect(result.history[0]!.generation).toBe(0);
      const baseline = result.history[0]!.bestFitness!;
      expect(result.best!.fitness).toBeGreaterThan(baseline);
      expect(result.generation).toBeGreaterThanOrEqual(1);
      const after = await sandboxStats(climbing.url);
      const backtests = after.quantconnect.backtestsCreated - before.quantconnect.backtestsCreated;
      const unique = after.quantconnect.uniqueCodeHashesBacktested - before.quantconnect.uniqueCodeHashesBacktested;
      expect(backtests).toBe(unique);
      expect(backtests).toBe(result.used.backtests);
      // the lineage of every variant is in the learning database
      const variants = await deps.prisma.variant.findMany({ where: { runId: `evolve-${taskQueue}` } });
      expect(variants.length).toBeGreaterThan(1 + result.generation);
      expect(variants.find((v) => v.mutation === 'baseline')).toBeDefined();
      const best = variants.find((v) => v.variantId === result.best!.variantId)!;
      expect(JSON.parse(best.parents).length).toBeGreaterThan(0);
    } finally {
      await client.connection.close();
      await deps.cleanup();
      await climbing.stop();
    }
  }, 180_000);

  it('reuse an earlier run\'s backtest of the same code instead of paying for another', async () => {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('evodup');
    try {
      await withWorkers(
        deps,
        taskQueue,
        async () => {
          await client.workflow.execute(evolutionRun, { taskQueue, workflowId: `evolve-${taskQueue}-1`, args: [evolutionInput('first', { generations: 1, variants: 1 })] });
          const mid = await sandboxStats(sandbox.url);
          const handle = await client.workflow.start(evolutionRun, { taskQueue, workflowId: `evolve-${taskQueue}-2`, args: [evolutionInput('second', { generations: 1, variants: 1 })] });
          const second = await handle.result();
          const end = await sandboxStats(sandbox.url);
          // the baseline (same code as run 1) costs no backtest the second time
          expect(second.history[0]!.bestFitness).not.toBeNull();
          expect(end.quantconnect.backtestsCreated - mid.quantconnect.backtestsCreated).toBe(second.used.backtests);
          expect(second.used.backtests).toBeLessThanOrEqual(1);
          // the quality gate looked the baseline up: no activity of its own for the lookup, no compile
          const { events } = await client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
          const scheduled = (events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
          expect(scheduled).toContain('checkAlgorithm');
          expect(scheduled).not.toContain('findBacktestedCode');
          expect(scheduled).not.toContain('compileAlgorithm');
        },
        deps.settings.config,
      );
    } finally {
      await client.connection.close();
      await deps.cleanup();
    }
  });

  it('make the same choices, programs and lineage in two runs started with the same seed', async () => {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('evoseed');
    try {
      await withWorkers(
        deps,
        taskQueue,
        async () => {
          const lineage = async (name: string) => {
            const workflowId = `evolve-${taskQueue}-${name}`;
            await client.workflow.execute(evolutionRun, { taskQueue, workflowId, args: [evolutionInput(name, { generations: 2, variants: 4, seed: 2024 })] });
            expect((await client.workflow.getHandle(workflowId).query(evolutionStatusQuery)).seed).toBe(2024);
            const rows = await deps.prisma.variant.findMany({ where: { runId: workflowId }, orderBy: { variantId: 'asc' } });
            return rows.map((r) => ({ variantId: r.variantId, generation: r.generation, mutation: r.mutation, parents: r.parents, codeHash: r.codeHash, fitness: r.fitness }));
          };
          const first = await lineage('a');
          // (the second run reuses the first one's backtests: its choices come from the seed alone)
          const second = await lineage('b');
          expect(first.filter((v) => v.generation === 2)).toHaveLength(4);
          expect(second).toEqual(first);
          // drawn, not fixed: the seed chose among kinds of mutation and among parents
          expect(new Set(first.map((v) => v.mutation)).size).toBeGreaterThan(2);
        },
        deps.settings.config,
      );
    } finally {
      await client.connection.close();
      await deps.cleanup();
    }
  });

  it('pause, resume and stop as asked, and respect a backtest budget', async () => {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('evoctl');
    try {
      await withWorkers(
        deps,
        taskQueue,
        async () => {
          const handle = await client.workflow.start(evolutionRun, { taskQueue, workflowId: `evolve-${taskQueue}`, args: [evolutionInput('ctl', { generations: 50, patience: 50 })] });
          await until(async () => (await handle.query(evolutionStatusQuery).catch(() => null))?.generation !== undefined, 20_000, 'the run to answer queries');
          const paused = await handle.executeUpdate(pauseUpdate);
          expect(paused.status).toBe('paused');
          const rejected = await handle.executeUpdate(pauseUpdate).catch((e: unknown) => e);
          expect((rejected as { cause?: Error }).cause?.message).toMatch(/already paused/);
          const resumed = await handle.executeUpdate(resumeUpdate);
          expect(resumed.status).toBe('running');
          await handle.executeUpdate(stopUpdate);
          const result = await handle.result();
          expect(result.status).toBe('stopped');
          expect(result.reason).toMatch(/stopped on request/);

          const budgeted = await client.workflow.execute(evolutionRun, {
            taskQueue,
            workflowId: `evolve-${taskQueue}-budget`,
            args: [evolutionInput('budget', { generations: 50, patience: 50, budget: { maxBacktests: 4 } })],
          });
          expect(budgeted.reason).toMatch(/backtest budget of 4 used/);
          expect(budgeted.used.backtests).toBeLessThanOrEqual(4 + 2);
        },
        deps.settings.config,
      );
    } finally {
      await client.connection.close();
      await deps.cleanup();
    }
  });

  it('keep every workflow history small over 30 generations by continuing as new each generation', async () => {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('evo30');
    const workflowId = `evolve-${taskQueue}`;
    try {
      const result = await withWorkers(
        deps,
        taskQueue,
        () => client.workflow.execute(evolutionRun, { taskQueue, workflowId, args: [evolutionInput('long', { generations: 30, variants: 1, elite: 1, patience: 100, concurrency: 1 })] }),
        deps.settings.config,
      );
      expect(result.generation).toBe(30);
      const lengths: number[] = [];
      for await (const execution of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) lengths.push(execution.historyLength);
      expect(lengths.length).toBe(31);
      expect(Math.max(...lengths)).toBeLessThan(10_000);
      expect(Math.max(...lengths)).toBeLessThan(200);
    } finally {
      await client.connection.close();
      await deps.cleanup();
    }
  }, 180_000);
});
