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

  const families = await prisma.backtest.groupBy({
    by: ['family'],
    where: { error: null, family: { not: null } },
    _count: { _all: true },
    _avg: { sharpeRatio: true, drawdown: true },
    _max: { sharpeRatio: true },
  });
  const familyResults = families.map(
    (f) =>
      `${f.family}: ${f._count._all} backtest(s), mean Sharpe ${fmt(f._avg.sharpeRatio)}, best Sharpe ${fmt(f._max.sharpeRatio)}, mean drawdown ${fmt(f._avg.drawdown)}%`,
  );

  return { fixes, frequentErrors: frequent.map((e) => ({ signature: e.signature, count: e._count.signature })), familyResults };
}

function fmt(n: number | null): string {
  return n === null ? 'n/a' : n.toFixed(2);
}
