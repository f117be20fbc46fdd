import { eliteQuery, evolutionRun, type EvolutionResult } from '../../workflows';
import type { SelectionStrategy } from '../../domain/population';
import { selectElite, type EvaluatedVariant } from '../../domain/evolution';
import { evolutionInput } from '../helpers/evolution';
import { testDeps } from '../helpers/deps';
import { testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testClient, uniqueTaskQueue, withWorkers } from '../helpers/temporal';

const SEEDS = 3;
const BUDGET = 24;

/**
 * Selection against a no-selection control at the same backtest budget. Each run has a learning
 * database of its own, so no run is helped by another's recorded backtests; each seed is a
 * different run id, so the workflow's random draws (and so the proposals) differ.
 */
describe('selection in the sandbox', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    // random-direction steps written plainly: the overfitting trap's lucky fine digits, which reward
    // no-selection and selection alike, are the trap tests' subject, not this one's
    sandbox = await testSandbox({ mutationMode: 'random', fineDigitRate: 0 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  async function evolve(selection: SelectionStrategy, seed: number): Promise<{ result: EvolutionResult; all: EvaluatedVariant[]; elite: EvaluatedVariant[] }> {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue(`sel-${selection}-${seed}`);
    const workflowId = `evolve-${taskQueue}`;
    try {
      return await withWorkers(
        deps,
        taskQueue,
        async () => {
          const input = evolutionInput(`${selection}-${seed}`, { generations: 50, patience: 50, variants: 4, concurrency: 4, elite: 3, budget: { maxBacktests: BUDGET }, selection });
          const result = await client.workflow.execute(evolutionRun, { taskQueue, workflowId, args: [input] });
          const rows = await deps.prisma.variant.findMany({ where: { runId: workflowId, status: { in: ['evaluated', 'duplicate'] } } });
          const all = rows.map((r): EvaluatedVariant => ({ variantId: r.variantId, generation: r.generation, island: r.island, parents: JSON.parse(r.parents) as string[], mutation: r.mutation, codeHash: r.codeHash, code: r.code, fitness: r.fitness!, statistics: JSON.parse(r.statistics!) }));
          const elite = await client.workflow.getHandle(workflowId).query(eliteQuery);
          return { result, all, elite };
        },
        deps.settings.config,
      );
    } finally {
      await client.connection.close();
      await deps.cleanup();
    }
  }

  it('beats a no-selection control on average at equal backtest budget; the best never falls and is the best of all evaluated', async () => {
    // the runs share nothing but the sandbox (each has its own task queue and learning database): all at once
    const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
    const pairs = await Promise.all(seeds.map(async (seed) => Promise.all([evolve('elite', seed), evolve('baseline', seed)])));
    const margins: number[] = [];
    for (const [evolved, control] of pairs) {
      for (const { result, all, elite } of [evolved, control]) {
        expect(result.used.backtests).toBeLessThanOrEqual(BUDGET + 4);
        const bests = result.history.map((h) => h.bestFitness!);
        for (let i = 1; i < bests.length; i++) expect(bests[i]).toBeGreaterThanOrEqual(bests[i - 1]!);
        // the run's best is the top of everything it evaluated
        expect(result.best!.fitness).toBe(selectElite(all, 1)[0]!.fitness);
        expect(elite.map((v) => v.fitness)).toEqual(selectElite(all, 3).map((v) => v.fitness));
      }
      margins.push(evolved.result.best!.fitness - control.result.best!.fitness);
    }
    const mean = margins.reduce((a, b) => a + b, 0) / margins.length;
    // the figure a reader wants: how much selection buys at this budget
    console.log(`selection − no-selection best fitness at ${BUDGET} backtests, per seed: ${margins.map((m) => m.toFixed(4)).join(', ')}; mean ${mean.toFixed(4)}`);
    expect(mean).toBeGreaterThan(0);
  }, 900_000);
});
