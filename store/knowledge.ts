import type { PrismaClient } from '@prisma/client';
import { fixConfidence } from '../domain/learning';
import type { LearnedContext } from '../domain/prompts';

/**
 * What the learning database knows that may help a prompt: fixes that worked for this error
 * signature (or, without one, the most trusted fixes for the family), the family's most frequent
 * errors, and what backtests per family have shown.
 */
export async function learnedContext(prisma: PrismaClient, query: { family?: string; signature?: string; limit?: number }): Promise<LearnedContext> {
  const limit = query.limit ?? 3;
  const candidates = await prisma.fix.findMany({
    where: query.signature ? { signature: query.signature } : query.family ? { OR: [{ family: query.family }, { family: null }] } : {},
    take: 50,
    orderBy: { updatedAt: 'desc' },
  });
  const fixes = candidates
    .filter((f) => f.successes > 0)
    .sort((a, b) => fixConfidence(b.successes, b.failures) - fixConfidence(a.successes, a.failures))
    .slice(0, limit)
    .map((f) => ({ signature: f.signature, diff: f.diff, successes: f.successes, failures: f.failures }));

  const frequent = query.family
    ? await prisma.errorRecord.groupBy({
        by: ['signature'],
        where: { family: query.family },
        _count: { signature: true },
        orderBy: { _count: { signature: 'desc' } },
        take: limit,
      })
    : [];

  const groups = await prisma.backtest.groupBy({
    by: ['family', 'sample'],
    where: { error: null, family: { not: null } },
    _count: { _all: true },
    _avg: { sharpeRatio: true, drawdown: true },
    _max: { sharpeRatio: true },
  });
  const familyResults = familyLines(groups);

  return { fixes, frequentErrors: frequent.map((e) => ({ signature: e.signature, count: e._count.signature })), familyResults };
}

type FamilyGroup = { family: string | null; sample: string | null; _count: { _all: number }; _avg: { sharpeRatio: number | null; drawdown: number | null }; _max: { sharpeRatio: number | null } };

/**
 * One line per family. Where programs of the family were backtested on a holdout, the line leads
 * with those out-of-sample results (what a strategy of the family can be expected to keep), then
 * gives the in-sample ones beside them; a family without holdout backtests shows all its backtests.
 */
export function familyLines(groups: FamilyGroup[]): string[] {
  const families = [...new Set(groups.map((g) => g.family).filter((f): f is string => f !== null))].sort();
  const figures = (g: FamilyGroup) => `${g._count._all} backtest(s), mean Sharpe ${fmt(g._avg.sharpeRatio)}, best Sharpe ${fmt(g._max.sharpeRatio)}, mean drawdown ${fmt(g._avg.drawdown)}%`;
  return families.map((family) => {
    const of = groups.filter((g) => g.family === family);
    const out = of.find((g) => g.sample === 'out-of-sample');
    const rest = of.filter((g) => g.sample !== 'out-of-sample');
    const selected = rest.length ? merge(rest) : null;
    if (!out) return `${family}: ${selected ? figures(selected) : 'no backtest'}`;
    return `${family}: out of sample (holdouts selection never saw) ${figures(out)}${selected ? `; in sample ${figures(selected)}` : ''}`;
  });
}

/** Counts, means and maxima of several groups as one. */
function merge(groups: FamilyGroup[]): FamilyGroup {
  const n = groups.reduce((s, g) => s + g._count._all, 0);
  const avg = (key: 'sharpeRatio' | 'drawdown') => {
    const known = groups.filter((g) => g._avg[key] !== null);
    const weight = known.reduce((s, g) => s + g._count._all, 0);
    return weight ? known.reduce((s, g) => s + g._avg[key]! * g._count._all, 0) / weight : null;
  };
  const maxima = groups.map((g) => g._max.sharpeRatio).filter((x): x is number => x !== null);
  return { family: groups[0]!.family, sample: null, _count: { _all: n }, _avg: { sharpeRatio: avg('sharpeRatio'), drawdown: avg('drawdown') }, _max: { sharpeRatio: maxima.length ? Math.max(...maxima) : null } };
}

function fmt(n: number | null): string {
  return n === null ? 'n/a' : n.toFixed(2);
}
