import { z } from 'zod';
import { TaxonomyError } from './errors';

/**
 * The strategy taxonomy a library is built over: categories, how many accepted strategies each
 * should hold, the searches that find papers for it, and which to work on first. It is data: the
 * defaults below follow the original's ten categories, and a JSON file may override any of it.
 */
export interface TaxonomyCategory {
  /** Stable id (`snake_case`), used in workflow ids, file names and `--categories`. */
  id: string;
  name: string;
  description: string;
  /** Accepted strategies the category should reach. */
  target: number;
  /** Higher first: categories with a higher priority get child runs earlier. */
  priority: number;
  /** Searches that find papers for the category, tried in order. */
  queries: string[];
}

export const DEFAULT_TAXONOMY: readonly TaxonomyCategory[] = [
  {
    id: 'momentum',
    name: 'Momentum',
    description: 'Time-series and cross-sectional momentum: past winners keep winning over months.',
    target: 5,
    priority: 10,
    queries: ['time series momentum', 'cross-sectional momentum stock returns', 'momentum crashes'],
  },
  {
    id: 'mean_reversion',
    name: 'Mean reversion',
    description: 'Short-horizon reversals, oscillators and statistical arbitrage between related assets.',
    target: 5,
    priority: 9,
    queries: ['mean reversion', 'pairs trading cointegration', 'statistical arbitrage'],
  },
  {
    id: 'factor',
    name: 'Factor investing',
    description: 'Value, quality, size, low volatility and multi-factor portfolios ranked on firm characteristics.',
    target: 4,
    priority: 8,
    queries: ['factor investing value quality', 'multi-factor equity portfolio', 'value premium'],
  },
  {
    id: 'machine_learning',
    name: 'Machine learning',
    description: 'Return prediction with tree ensembles, neural networks and regularised regressions.',
    target: 3,
    priority: 6,
    queries: ['machine learning stock returns', 'neural network return prediction', 'gradient boosting trading'],
  },
  {
    id: 'volatility',
    name: 'Volatility',
    description: 'Volatility targeting, volatility-managed portfolios, variance risk premia.',
    target: 4,
    priority: 7,
    queries: ['volatility targeting', 'volatility managed portfolios', 'variance risk premium'],
  },
  {
    id: 'microstructure',
    name: 'Market microstructure',
    description: 'Order flow, liquidity provision and intraday price dynamics.',
    target: 2,
    priority: 4,
    queries: ['order imbalance liquidity', 'market microstructure intraday', 'bid-ask spread liquidity provision'],
  },
  {
    id: 'event_driven',
    name: 'Event-driven',
    description: 'Earnings announcements, index rebalancing, mergers and other scheduled events.',
    target: 2,
    priority: 4,
    queries: ['post-earnings announcement drift', 'index rebalancing effect', 'merger arbitrage'],
  },
  {
    id: 'options',
    name: 'Options',
    description: 'Signals from option prices (implied volatility, skew) and option-writing strategies.',
    target: 2,
    priority: 3,
    queries: ['option implied volatility skewness', 'covered call writing', 'volatility risk premium options'],
  },
  {
    id: 'cross_asset',
    name: 'Cross-asset',
    description: 'Trend following and carry across equity indices, bonds, currencies and commodities.',
    target: 3,
    priority: 5,
    queries: ['trend following moving average', 'currency carry trade', 'commodity futures term structure'],
  },
  {
    id: 'alternative_data',
    name: 'Alternative data',
    description: 'Sentiment, news, web and satellite data as trading signals.',
    target: 2,
    priority: 2,
    queries: ['investor sentiment stock returns', 'news sentiment trading', 'alternative data alpha'],
  },
];

export { TaxonomyError };

const categoryId = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, { error: 'must be snake_case: lower-case letters, digits and _ (at most 40)' });
const target = z.number().int().min(0, { error: 'must be a whole number of 0 or more' }).max(1000);
const priority = z.number().int().min(-1000).max(1000);
const queries = z.array(z.string().trim().min(2, { error: 'a query needs at least two characters' }).max(200)).min(1, { error: 'needs at least one query' }).max(20);

/** One category of a taxonomy file: an override of a default one (by id), or a new one with every field. */
const categoryOverrideSchema = z
  .object({
    id: categoryId,
    name: z.string().min(1).max(80).optional(),
    description: z.string().max(500).optional(),
    target: target.optional(),
    priority: priority.optional(),
    queries: queries.optional(),
  })
  .strict();

export const taxonomyFileSchema = z
  .object({
    /** When true, the file's categories are the whole taxonomy; otherwise they override and extend the defaults. */
    replace: z.boolean().default(false),
    categories: z.array(categoryOverrideSchema).min(1, { error: 'needs at least one category' }),
  })
  .strict();

export type TaxonomyFile = z.input<typeof taxonomyFileSchema>;

/**
 * The taxonomy with a parsed override file applied: categories of the file replace the fields they
 * name in the default category of the same id; new ids are added and must give name and queries.
 */
export function resolveTaxonomy(file: unknown, source = 'taxonomy file', base: readonly TaxonomyCategory[] = DEFAULT_TAXONOMY): TaxonomyCategory[] {
  const parsed = taxonomyFileSchema.safeParse(file);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new TaxonomyError(`${source} is not a valid taxonomy: ${issues.join('; ')}`);
  }
  const { replace, categories } = parsed.data;
  const seen = new Set<string>();
  for (const c of categories) {
    if (seen.has(c.id)) throw new TaxonomyError(`${source} names category "${c.id}" twice`);
    seen.add(c.id);
  }
  const out: TaxonomyCategory[] = replace ? [] : base.map((c) => ({ ...c, queries: [...c.queries] }));
  for (const c of categories) {
    const existing = out.find((x) => x.id === c.id);
    if (existing) {
      Object.assign(existing, Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
      continue;
    }
    const missing = (['name', 'queries'] as const).filter((k) => c[k] === undefined);
    if (missing.length) throw new TaxonomyError(`${source}: new category "${c.id}" needs ${missing.join(' and ')}`);
    out.push({ id: c.id, name: c.name!, description: c.description ?? '', target: c.target ?? 1, priority: c.priority ?? 0, queries: c.queries! });
  }
  return out;
}

/**
 * The categories a build works on: `ids` selects a subset (in the taxonomy's order, unknown ids are
 * an error naming the valid ones), `perCategory` overrides every target. Highest priority first.
 */
export function selectCategories(taxonomy: readonly TaxonomyCategory[], ids?: readonly string[], perCategory?: number): TaxonomyCategory[] {
  let chosen = taxonomy.map((c) => ({ ...c, queries: [...c.queries] }));
  if (ids && ids.length) {
    const wanted = ids.map((i) => i.trim().toLowerCase().replace(/[\s-]+/g, '_')).filter(Boolean);
    const unknown = wanted.filter((w) => !chosen.some((c) => c.id === w));
    if (unknown.length) throw new TaxonomyError(`Unknown categor${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((u) => `"${u}"`).join(', ')}; valid: ${chosen.map((c) => c.id).join(', ')}`);
    chosen = chosen.filter((c) => wanted.includes(c.id));
  }
  if (perCategory !== undefined) {
    if (!Number.isInteger(perCategory) || perCategory < 1) throw new TaxonomyError('--per-category must be a whole number of 1 or more');
    chosen = chosen.map((c) => ({ ...c, target: perCategory }));
  }
  return chosen.sort((a, b) => b.priority - a.priority);
}
