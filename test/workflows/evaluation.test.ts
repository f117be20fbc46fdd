import type { Client } from '@temporalio/client';
import { backtestStep, deleteProjectsStep, evolutionRun, evolutionStatusQuery, stopUpdate, type EvolutionInput, type EvolutionStatus } from '../../workflows';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';
import type { StatisticsSummary } from '../../domain/pipeline';
import { BASELINE, evolutionInput } from '../helpers/evolution';
import { testDeps } from '../helpers/deps';
import { sandboxStats, testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testClient, uniqueTaskQueue, withWorkers } from '../helpers/temporal';
import { until } from '../helpers/cli';

/** The baseline with a call LEAN fails on at run time: the run must repair it and score the repair. */
const RUNTIME_ERROR_BASELINE = BASELINE.replace('            self.set_holdings(self.spy, 1.0)', '            self.set_holdings(self.spy, 1.0)\n            self.undefined_rebalance()');
/** Another program than BASELINE (a longer lookback), for a second run under the same name. */
const OTHER_BASELINE = BASELINE.replace('self.lookback = 20', 'self.lookback = 45');

type Deps = ReturnType<typeof testDeps>;

/** Backtests `code` on its own, as `quantcoder backtest` would: the figures a program really has. */
async function directBacktest(client: Client, taskQueue: string, code: string): Promise<StatisticsSummary> {
  const out = await client.workflow.execute(backtestStep, { taskQueue, workflowId: `${taskQueue}-direct-${Math.random().toString(36).slice(2, 10)}`, args: [{ code, localOnly: false, settings: DEFAULT_RUN_SETTINGS }] });
  if (out.backtest?.kind !== 'completed') throw new Error(`direct backtest did not complete: ${JSON.stringify(out.backtest ?? out.check.problem ?? out.compile)}`);
  return out.backtest.statistics;
}

/** Every scored variant of the run has exactly the statistics of a direct backtest of its own code. */
async function expectHonestStatistics(deps: Deps, client: Client, taskQueue: string, runId: string): Promise<number> {
  const rows = await deps.prisma.variant.findMany({ where: { runId, status: 'evaluated' }, orderBy: { variantId: 'asc' } });
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows.slice(0, 4)) expect(JSON.parse(row.statistics!)).toEqual(await directBacktest(client, taskQueue, row.code));
  return rows.length;
}

async function quantcoderProjectsOf(deps: Deps, workflowId: string) {
  return (await deps.quantconnect().listProjects()).filter((p) => p.name.startsWith(`QuantCoder/${workflowId}-`));
}

describe('evaluation in evolution runs, against the sandbox', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await testSandbox();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  /** Runs `body` with workers of the production set on a task queue and a learning database of its own. */
  async function inEvolutionWorkers(name: string, body: (run: { deps: Deps; client: Client; taskQueue: string; workflowId: string }) => Promise<void>): Promise<void> {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue(name);
    try {
      await withWorkers(deps, taskQueue, () => body({ deps, client, taskQueue, workflowId: `evolve-${taskQueue}` }), deps.settings.config);
    } finally {
      await client.connection.close();
      await deps.cleanup();
    }
  }

  it('scores a program repaired after a runtime error on its own backtest, and files the error and its fix', async () => {
    await inEvolutionWorkers('evorepair', async ({ deps, client, taskQueue, workflowId }) => {
      const input: EvolutionInput = { ...evolutionInput('repair', { generations: 1, variants: 2, concurrency: 2 }), baseline: RUNTIME_ERROR_BASELINE };
      const result = await client.workflow.execute(evolutionRun, { taskQueue, workflowId, args: [input] });
      // the baseline's first backtest failed at run time; its repair was backtested anew and scored
      const baseline = await deps.prisma.variant.findUniqueOrThrow({ where: { runId_variantId: { runId: workflowId, variantId: 'v0001' } } });
      expect(baseline.status).toBe('evaluated');
      expect(baseline.code).not.toContain('undefined_rebalance');
      expect(result.history[0]!.bestFitness).not.toBeNull();
      await expectHonestStatistics(deps, client, taskQueue, workflowId);
      const errors = await deps.prisma.errorRecord.findMany({ where: { runId: workflowId } });
      expect(errors.find((e) => e.kind === 'runtime' && e.step === 'v0001:1')).toMatchObject({ fixed: true });
    });
  }, 240_000);

  it('gives a restarted run of the same name its own backtests: every statistic is its own program\'s', async () => {
    await inEvolutionWorkers('evorestart', async ({ deps, client, taskQueue, workflowId }) => {
      await client.workflow.execute(evolutionRun, { taskQueue, workflowId, args: [evolutionInput('same-name', { generations: 1, variants: 2, concurrency: 2 })] });
      const restarted: EvolutionInput = { ...evolutionInput('same-name', { generations: 1, variants: 2, concurrency: 2 }), baseline: OTHER_BASELINE, restart: true };
      await client.workflow.execute(evolutionRun, { taskQueue, workflowId, args: [restarted], workflowIdReusePolicy: 'ALLOW_DUPLICATE' });
      // only the second run's lineage remains under the name, and each figure is its own program's
      const baseline = await deps.prisma.variant.findUniqueOrThrow({ where: { runId_variantId: { runId: workflowId, variantId: 'v0001' } } });
      expect(baseline.code).toContain('self.lookback = 45');
      await expectHonestStatistics(deps, client, taskQueue, workflowId);
    });
  }, 240_000);

  it('runs 10 generations of 5 variants in at most `concurrency` projects and leaves none behind', async () => {
    const concurrency = 3;
    const before = await sandboxStats(sandbox.url);
    await inEvolutionWorkers('evoprojects', async ({ deps, client, taskQueue, workflowId }) => {
      const result = await client.workflow.execute(evolutionRun, { taskQueue, workflowId, args: [evolutionInput('hygiene', { generations: 10, variants: 5, patience: 100, concurrency })] });
      expect(result.generation).toBe(10);
      const after = await sandboxStats(sandbox.url);
      expect(after.quantconnect.backtestsCreated - before.quantconnect.backtestsCreated).toBeGreaterThan(concurrency);
      expect(after.quantconnect.projectsCreated - before.quantconnect.projectsCreated).toBeLessThanOrEqual(concurrency);
      expect(result.projectsKept).toEqual([]);
      expect(await quantcoderProjectsOf(deps, workflowId)).toEqual([]);

      // asked to keep them, the run leaves its projects and says which; the projects step removes them
      // (a program this database has not seen, so the run has to compile it)
      const keepInput: EvolutionInput = { ...evolutionInput('kept', { generations: 1, variants: 2, concurrency: 2, keepProjects: true }), baseline: BASELINE.replace('self.lookback = 20', 'self.lookback = 33') };
      const kept = await client.workflow.execute(evolutionRun, { taskQueue, workflowId: `${workflowId}-kept`, args: [keepInput] });
      const left = await quantcoderProjectsOf(deps, `${workflowId}-kept`);
      expect(left.map((p) => p.projectId).sort()).toEqual([...kept.projectsKept].sort());
      expect(left.length).toBeGreaterThan(0);
      await client.workflow.execute(deleteProjectsStep, { taskQueue, workflowId: `${workflowId}-prune`, args: [{ projectIds: kept.projectsKept, settings: DEFAULT_RUN_SETTINGS }] });
      expect(await quantcoderProjectsOf(deps, `${workflowId}-kept`)).toEqual([]);
    });
  }, 400_000);

  it('starts no LLM call, compile or backtest once a stop is accepted, and lets the steps in flight finish', async () => {
    await inEvolutionWorkers('evostop', async ({ client, taskQueue, workflowId }) => {
      const handle = await client.workflow.start(evolutionRun, { taskQueue, workflowId, args: [evolutionInput('stop', { generations: 50, patience: 50, variants: 4, concurrency: 3 })] });
      let status: EvolutionStatus | null = null;
      await until(async () => {
        status = await handle.query(evolutionStatusQuery).catch(() => null);
        return !!status && status.generation >= 1 && status.inFlight.length > 0;
      }, 120_000, 'a generation with evaluations in flight');
      const accepted = await handle.executeUpdate(stopUpdate);
      const atStop = await sandboxStats(sandbox.url);
      expect(accepted.stopRequested).toBe(true);
      const result = await handle.result();
      expect(result.status).toBe('stopped');
      const end = await sandboxStats(sandbox.url);

      // the sandbox saw no more LLM calls or backtests than the steps in flight when the stop was accepted
      const inStage = (...stages: string[]) => accepted.inFlight.filter((f) => stages.includes(f.stage)).length;
      expect(end.llm.calls - atStop.llm.calls).toBeLessThanOrEqual(2 * inStage('propose', 'repair'));
      expect(end.quantconnect.backtestsCreated - atStop.quantconnect.backtestsCreated).toBeLessThanOrEqual(inStage('backtest'));

      // and the run's own history: after the update was accepted, no paid step was scheduled
      const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      const acceptedAt = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      expect(acceptedAt).toBeGreaterThan(0);
      const paidAfter = events
        .slice(acceptedAt)
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter((name) => name === 'proposeVariant' || name === 'repairAlgorithm' || name === 'compileAlgorithm' || name === 'runBacktest');
      expect(paidAfter).toEqual([]);
    });
  }, 240_000);
});
