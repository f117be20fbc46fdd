import { initialWeights, selectElite, type EvaluatedVariant } from '../../domain/evolution';
import { bestOf, crossoverPartner, generationRandom, migrate, migrationSource, pickUniform, planGeneration, seededRandom, summarizeGeneration, survivors } from '../../domain/population';

function variant(id: string, fitness: number, island = 0, codeHash = `h-${id}`): EvaluatedVariant {
  return { variantId: id, generation: 1, island, parents: [], mutation: 'parameters', codeHash, code: `# ${id}`, fitness, statistics: { sharpeRatio: fitness, drawdown: 10, compoundingAnnualReturn: 5, netProfit: 5, winRate: 50, totalOrders: 20 } };
}

describe('population: parent choice and crossover pairing', () => {
  it('draws every member of a pool about equally often', () => {
    const pool = ['a', 'b', 'c', 'd'];
    const random = seededRandom(7);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const x = pickUniform(pool, random);
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    for (const member of pool) expect(counts.get(member)).toBeGreaterThan(850);
    expect(() => pickUniform([], random)).toThrow(/empty pool/);
  });

  it('never pairs a parent with itself, and finds no partner in an elite of one', () => {
    const elite = [variant('a', 1), variant('b', 2), variant('c', 3)];
    const random = seededRandom(3);
    for (let i = 0; i < 200; i++) expect(crossoverPartner(elite, elite[1]!, random)!.variantId).not.toBe('b');
    expect(crossoverPartner([elite[0]!], elite[0]!, random)).toBeNull();
  });

  it('plans `variants` children per island, each with a parent from its own island', () => {
    const islands = [[variant('a', 1, 0), variant('b', 2, 0)], [variant('c', 3, 1)]];
    const plans = planGeneration({ islands, baseline: variant('base', 0), variants: 4, crossoverRate: 0.5, weights: initialWeights(), selection: 'elite', random: seededRandom(11) });
    expect(plans).toHaveLength(8);
    for (const plan of plans) {
      const own = islands[plan.island]!.map((v) => v.variantId);
      for (const parent of plan.parents) expect(own).toContain(parent.variantId);
      expect(plan.parents).toHaveLength(plan.mutation === 'crossover' ? 2 : 1);
    }
    // an island of one cannot cross over
    expect(plans.filter((p) => p.island === 1).every((p) => p.mutation !== 'crossover')).toBe(true);
    expect(plans.some((p) => p.mutation === 'crossover')).toBe(true);
  });

  it('under the no-selection control, makes every child a mutation of the baseline', () => {
    const islands = [[variant('a', 5), variant('b', 4)]];
    const baseline = variant('base', 0);
    const plans = planGeneration({ islands, baseline, variants: 20, crossoverRate: 0.9, weights: initialWeights(), selection: 'baseline', random: seededRandom(5) });
    expect(plans.every((p) => p.parents.length === 1 && p.parents[0]!.variantId === 'base' && p.mutation !== 'crossover')).toBe(true);
  });
});

describe('population: survivors, migration and summaries', () => {
  it('keeps on each island the top-k of its elite and its own new children', () => {
    const islands = [[variant('a', 1, 0)], [variant('b', 2, 1)]];
    const children = [variant('c', 5, 0), variant('d', 0.5, 0), variant('e', 9, 1)];
    const next = survivors(islands, children, 2);
    expect(next[0]!.map((v) => v.variantId)).toEqual(['c', 'a']);
    expect(next[1]!.map((v) => v.variantId)).toEqual(['e', 'b']);
  });

  it('sends each island\'s best to the next island in a ring', () => {
    expect([0, 1, 2].map((i) => migrationSource(i, 3))).toEqual([2, 0, 1]);
    const islands = [[variant('a', 3, 0)], [variant('b', 1, 1)], [variant('c', 2, 2)]];
    const next = migrate(islands, 2);
    expect(next[0]!.map((v) => v.variantId)).toEqual(['a', 'c']);
    expect(next[1]!.map((v) => v.variantId)).toEqual(['a', 'b']);
    expect(next[2]!.map((v) => v.variantId)).toEqual(['c', 'b']);
    expect(migrate([[variant('x', 1)]], 2)).toEqual([[variant('x', 1)]]);
  });

  it('summarises a generation: mean of the children, improvement against the best before', () => {
    const summary = summarizeGeneration({ generation: 3, evaluated: [variant('a', 1), variant('b', 3)], failed: 2, duplicates: 1, bestBefore: 2.5, bestAfter: 3 });
    expect(summary).toEqual({ generation: 3, bestFitness: 3, meanFitness: 2, evaluated: 2, failed: 2, duplicates: 1, improved: true });
    expect(summarizeGeneration({ generation: 4, evaluated: [], failed: 3, duplicates: 0, bestBefore: 3, bestAfter: 3 })).toMatchObject({ meanFitness: null, improved: false });
  });

  it('over many random generations, the best never decreases and the elite is the top-k of everything evaluated', () => {
    const random = seededRandom(42);
    let islands = [[variant('v0', 0)]];
    const all: EvaluatedVariant[] = [...islands.flat()];
    let best = bestOf(islands)!.fitness;
    for (let g = 1; g <= 40; g++) {
      const children = Array.from({ length: 6 }, (_, k) => variant(`g${g}k${k}`, Math.round((random() * 4 - 2) * 1000) / 1000));
      all.push(...children);
      islands = survivors(islands, children, 3);
      const now = bestOf(islands)!.fitness;
      expect(now).toBeGreaterThanOrEqual(best);
      best = now;
      expect(islands[0]!.map((v) => v.variantId)).toEqual(selectElite(all, 3).map((v) => v.variantId));
    }
  });
});

describe('population: seeded draws', () => {
  const draws = (r: () => number, n = 50) => Array.from({ length: n }, r);

  it('gives a run started with a seed the same draws per generation, whatever came before', () => {
    expect(draws(generationRandom(42, 3))).toEqual(draws(generationRandom(42, 3)));
    for (const x of draws(generationRandom(42, 3), 1000)) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it('gives other seeds and other generations draws of their own', () => {
    const streams = [generationRandom(42, 1), generationRandom(42, 2), generationRandom(43, 1), generationRandom(0, 1), generationRandom(0, 2)].map((r) => draws(r));
    for (let i = 0; i < streams.length; i++) for (let j = i + 1; j < streams.length; j++) expect(streams[i]).not.toEqual(streams[j]);
  });

  it('plans the same generation from the same seed, another from another, with uniform draws', () => {
    const islands = [[variant('a', 1), variant('b', 0.5), variant('c', 0.2)]];
    const plan = (seed: number) =>
      planGeneration({ islands, baseline: variant('base', 0), variants: 8, crossoverRate: 0.3, weights: initialWeights(), selection: 'elite', random: generationRandom(seed, 1) }).map(
        (p) => `${p.mutation}:${p.parents.map((x) => x.variantId).join('+')}`,
      );
    expect(plan(7)).toEqual(plan(7));
    expect(new Set([1, 2, 3, 4, 5].map((s) => plan(s).join(','))).size).toBe(5);
    const deciles = new Array<number>(10).fill(0);
    const r = generationRandom(5, 9);
    for (let i = 0; i < 10_000; i++) deciles[Math.floor(r() * 10)]! += 1;
    for (const n of deciles) expect(Math.abs(n - 1000)).toBeLessThan(100);
  });
});
