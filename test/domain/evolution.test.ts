import { adaptWeights, budgetExhausted, DEFAULT_FITNESS, fitness, initialWeights, pickMutation, selectElite, type EvaluatedVariant } from '../../domain/evolution';
import { MUTATION_KINDS } from '../../domain/prompts';

const stats = (over: Partial<Parameters<typeof fitness>[0]> = {}) => ({ sharpeRatio: 1, drawdown: 10, compoundingAnnualReturn: 20, netProfit: 30, winRate: 50, totalOrders: 100, ...over });

function variant(id: string, f: number, codeHash = `h-${id}`, generation = 1): EvaluatedVariant {
  return { variantId: id, generation, island: 0, parents: [], mutation: 'parameters', codeHash, code: '', fitness: f, statistics: stats() };
}

describe('fitness', () => {
  it('weighs Sharpe, drawdown, annual return and win rate as the original did', () => {
    // 0.4·1 + 0.3·(1 − 0.10) + 0.2·0.20 + 0.1·0.50
    expect(fitness(stats())).toBeCloseTo(0.4 + 0.27 + 0.04 + 0.05, 6);
  });

  it('rewards a higher Sharpe and a smaller drawdown', () => {
    expect(fitness(stats({ sharpeRatio: 2 }))).toBeGreaterThan(fitness(stats()));
    expect(fitness(stats({ drawdown: 5 }))).toBeGreaterThan(fitness(stats()));
  });

  it('penalises a backtest that barely trades, in proportion to the orders missing', () => {
    const none = fitness(stats({ totalOrders: 0 }));
    const half = fitness(stats({ totalOrders: DEFAULT_FITNESS.minOrders / 2 }));
    const enough = fitness(stats({ totalOrders: DEFAULT_FITNESS.minOrders }));
    expect(enough - none).toBeCloseTo(DEFAULT_FITNESS.tooFewOrdersPenalty, 6);
    expect(enough - half).toBeCloseTo(DEFAULT_FITNESS.tooFewOrdersPenalty / 2, 6);
  });

  it('treats missing statistics as the worst case, not as zero risk', () => {
    expect(fitness(stats({ drawdown: null }))).toBeLessThan(fitness(stats({ drawdown: 50 })));
  });
});

describe('elite selection', () => {
  it('keeps the fittest distinct programs, fittest first, the older first on ties', () => {
    const pool = [variant('a', 1), variant('b', 3), variant('c', 3, 'h-c', 0), variant('d', 2), variant('e', 0.5)];
    expect(selectElite(pool, 3).map((v) => v.variantId)).toEqual(['c', 'b', 'd']);
  });

  it('counts one program once, at its best fitness', () => {
    const pool = [variant('a', 1, 'same'), variant('b', 2, 'same'), variant('c', 1.5)];
    expect(selectElite(pool, 3).map((v) => v.variantId)).toEqual(['b', 'c']);
  });
});

describe('mutation weights', () => {
  it('gain for kinds that improved, lose for kinds that failed, within bounds', () => {
    const w = adaptWeights(initialWeights(), [
      { kind: MUTATION_KINDS[0]!, improved: true, failed: false },
      { kind: MUTATION_KINDS[1]!, improved: false, failed: true },
    ]);
    expect(w[MUTATION_KINDS[0]!]).toBeGreaterThan(1);
    expect(w[MUTATION_KINDS[1]!]).toBeLessThan(1);
    let many = initialWeights();
    for (let i = 0; i < 100; i++) many = adaptWeights(many, [{ kind: MUTATION_KINDS[0]!, improved: true, failed: false }, { kind: MUTATION_KINDS[1]!, improved: false, failed: true }]);
    expect(many[MUTATION_KINDS[0]!]).toBe(5);
    expect(many[MUTATION_KINDS[1]!]).toBe(0.2);
  });

  it('pick a kind in proportion to its weight', () => {
    const w = initialWeights();
    for (const k of MUTATION_KINDS) w[k] = 0;
    w[MUTATION_KINDS[2]!] = 1;
    for (const r of [0, 0.3, 0.99]) expect(pickMutation(w, r)).toBe(MUTATION_KINDS[2]);
    const even = initialWeights();
    expect(pickMutation(even, 0)).toBe(MUTATION_KINDS[0]);
    expect(pickMutation(even, 0.999)).toBe(MUTATION_KINDS[MUTATION_KINDS.length - 1]);
  });
});

describe('budget', () => {
  it('says which budget is used up, and nothing while both last', () => {
    expect(budgetExhausted({ maxBacktests: 3 }, { backtests: 2, tokens: { input: 0, output: 0 } })).toBeNull();
    expect(budgetExhausted({ maxBacktests: 3 }, { backtests: 3, tokens: { input: 0, output: 0 } })).toMatch(/backtest budget of 3/);
    expect(budgetExhausted({ maxTokens: 100 }, { backtests: 0, tokens: { input: 60, output: 40 } })).toMatch(/token budget of 100/);
  });
});
