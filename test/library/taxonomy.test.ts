import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTaxonomy } from '../../config/taxonomy';
import { isAccepted, nextQuerySlot, parseInterval, paperIds } from '../../domain/library';
import { DEFAULT_TAXONOMY, resolveTaxonomy, selectCategories, TaxonomyError } from '../../domain/taxonomy';

describe('the strategy taxonomy', () => {
  it('has the original ten categories, each with a target, queries and a priority', () => {
    expect(DEFAULT_TAXONOMY.map((c) => c.id)).toEqual([
      'momentum',
      'mean_reversion',
      'factor',
      'machine_learning',
      'volatility',
      'microstructure',
      'event_driven',
      'options',
      'cross_asset',
      'alternative_data',
    ]);
    for (const c of DEFAULT_TAXONOMY) {
      expect(c.target).toBeGreaterThan(0);
      expect(c.queries.length).toBeGreaterThan(0);
    }
  });

  it('selects a subset with --categories, overrides targets with --per-category, highest priority first', () => {
    const chosen = selectCategories(DEFAULT_TAXONOMY, ['volatility', 'momentum', 'mean-reversion'], 2);
    expect(chosen.map((c) => c.id)).toEqual(['momentum', 'mean_reversion', 'volatility']);
    expect(chosen.every((c) => c.target === 2)).toBe(true);
    // the defaults are data: selecting never changes them
    expect(DEFAULT_TAXONOMY.find((c) => c.id === 'momentum')!.target).toBe(5);
  });

  it('names the valid categories when asked for an unknown one', () => {
    expect(() => selectCategories(DEFAULT_TAXONOMY, ['momentum', 'astrology'])).toThrow(/Unknown category "astrology"; valid: momentum, mean_reversion/);
  });

  it('applies a taxonomy file over the defaults, or replaces them', () => {
    const merged = resolveTaxonomy({ categories: [{ id: 'momentum', target: 7, queries: ['dual momentum'] }, { id: 'carry', name: 'Carry', queries: ['carry trade'], priority: 20 }] });
    expect(merged).toHaveLength(11);
    expect(merged.find((c) => c.id === 'momentum')).toMatchObject({ target: 7, queries: ['dual momentum'], name: 'Momentum' });
    expect(selectCategories(merged)[0]!.id).toBe('carry');
    const replaced = resolveTaxonomy({ replace: true, categories: [{ id: 'carry', name: 'Carry', queries: ['carry trade'], target: 2 }] });
    expect(replaced.map((c) => [c.id, c.target])).toEqual([['carry', 2]]);
  });

  it('rejects a bad taxonomy file with a message naming the file and the problem', () => {
    expect(() => resolveTaxonomy({ categories: [{ id: 'Bad Id', queries: ['x y'] }] }, 'my.json')).toThrow(/my\.json is not a valid taxonomy: categories\.0\.id: must be snake_case/);
    expect(() => resolveTaxonomy({ categories: [{ id: 'carry' }] }, 'my.json')).toThrow(/new category "carry" needs name and queries/);
    expect(() => resolveTaxonomy({ categories: [{ id: 'momentum', target: -1 }] }, 'my.json')).toThrow(TaxonomyError);
    expect(() => resolveTaxonomy({ categories: [{ id: 'momentum', targets: 3 }] }, 'my.json')).toThrow(/Unrecognized key/);
  });

  it('reads $QUANTCODER_HOME/taxonomy.json when no file is given, and a given file first', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-tax-'));
    try {
      expect(loadTaxonomy(undefined, home).source).toBe('built-in');
      fs.writeFileSync(path.join(home, 'taxonomy.json'), JSON.stringify({ categories: [{ id: 'momentum', target: 9 }] }));
      expect(loadTaxonomy(undefined, home).categories.find((c) => c.id === 'momentum')!.target).toBe(9);
      const other = path.join(home, 'other.json');
      fs.writeFileSync(other, '{ not json');
      expect(() => loadTaxonomy(other, home)).toThrow(/other\.json is not valid JSON/);
      expect(() => loadTaxonomy(path.join(home, 'missing.json'), home)).toThrow(/No taxonomy file at/);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('library rules', () => {
  const stats = (sharpeRatio: number | null) => ({ sharpeRatio, drawdown: 10, compoundingAnnualReturn: 5, netProfit: 20, winRate: 50, totalOrders: 100 });

  it('accepts a strategy only when it compiled, was backtested and reached the Sharpe bar', () => {
    expect(isAccepted({ compiled: true, statistics: stats(0.5), error: null }, 0.5)).toBe(true);
    expect(isAccepted({ compiled: true, statistics: stats(0.49), error: null }, 0.5)).toBe(false);
    expect(isAccepted({ compiled: true, statistics: null, error: null }, 0.5)).toBe(false);
    expect(isAccepted({ compiled: false, statistics: stats(2), error: 'RepairExhausted' }, 0.5)).toBe(false);
  });

  it('with a holdout, accepts on the out-of-sample Sharpe ratio: a high in-sample one that does not hold is rejected', () => {
    const split = { inSample: { start: '2015-01-02', end: '2018-06-30' }, outOfSample: { start: '2018-07-01', end: '2019-12-31' } };
    expect(isAccepted({ compiled: true, statistics: stats(2), error: null, split, outOfSample: stats(0.3) }, 0.5)).toBe(false);
    expect(isAccepted({ compiled: true, statistics: stats(0.4), error: null, split, outOfSample: stats(0.6) }, 0.5)).toBe(true);
    // a holdout backtest that did not run proves nothing out of sample
    expect(isAccepted({ compiled: true, statistics: stats(2), error: null, split, outOfSample: null }, 0.5)).toBe(false);
  });

  it('goes round the queries, skipping those that found no new paper, for at most maxRounds', () => {
    const c = { queries: ['a', 'b', 'c'], nextSlot: 0, exhaustedQueries: [] as number[] };
    expect(nextQuerySlot(c, 2)).toEqual({ slot: 0, queryIndex: 0, round: 0 });
    expect(nextQuerySlot({ ...c, nextSlot: 4, exhaustedQueries: [1] }, 2)).toEqual({ slot: 5, queryIndex: 2, round: 1 });
    expect(nextQuerySlot({ ...c, nextSlot: 6 }, 2)).toBeNull();
    expect(nextQuerySlot({ ...c, exhaustedQueries: [0, 1, 2] }, 5)).toBeNull();
  });

  it('knows a paper by its DOI and arXiv id, case-insensitively', () => {
    expect(paperIds({ doi: '10.5555/ABC.1', arxivId: '2103.04117' })).toEqual(['10.5555/abc.1', '2103.04117']);
  });

  it('reads schedule intervals', () => {
    expect(parseInterval('7d')).toBe(7 * 86_400_000);
    expect(parseInterval('7 days')).toBe(7 * 86_400_000);
    expect(parseInterval('30m')).toBe(30 * 60_000);
    expect(parseInterval('1w')).toBe(604_800_000);
    expect(parseInterval('12h')).toBe(43_200_000);
    expect(parseInterval('soon')).toBeNull();
    expect(parseInterval('0.1s')).toBeNull();
  });
});
