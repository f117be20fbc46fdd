import { createHash } from 'node:crypto';
import type { PrismaClient } from '@prisma/client';
import { errorSignature, lineDiff } from '../domain/learning';
import type { CodeProblem, RecordedBacktest, StatisticsSummary } from '../domain/pipeline';

export interface AttemptRecord {
  runId: string;
  articleKey: string;
  attempt: number;
  code: string;
  codeHash: string;
  family: string | null;
  provider?: string;
  model?: string;
  compiled: boolean;
  problem: CodeProblem | null;
  /** The previous attempt and the problem it had, when this attempt is a repair of it. */
  previous: { code: string; problem: CodeProblem } | null;
}

/**
 * Records one attempt of the repair loop: the algorithm, the error it met, and — when it repairs
 * the previous attempt — whether the repair worked, as a fix (error signature → diff). Every write
 * is keyed by (run, article, attempt), so recording an attempt twice changes nothing.
 */
export async function recordAttempt(prisma: PrismaClient, r: AttemptRecord): Promise<void> {
  const step = `${r.articleKey}:${r.attempt}`;
  await prisma.algorithm.upsert({
    where: { runId_articleKey_attempt: { runId: r.runId, articleKey: r.articleKey, attempt: r.attempt } },
    create: {
      runId: r.runId,
      articleKey: r.articleKey,
      attempt: r.attempt,
      codeHash: r.codeHash,
      code: r.code,
      family: r.family,
      provider: r.provider,
      model: r.model,
      compiled: r.compiled,
      problemKind: r.problem?.kind,
    },
    update: { compiled: r.compiled, problemKind: r.problem?.kind ?? null },
  });
  if (r.problem) await recordError(prisma, { runId: r.runId, step, problem: r.problem, codeHash: r.codeHash, family: r.family, provider: r.provider, model: r.model });
  if (r.previous) {
    const previousStep = `${r.articleKey}:${r.attempt - 1}`;
    // fixed means the error is gone and no other took its place: trading one error for another is no fix
    const resolved = r.problem === null;
    await recordFixOutcome(prisma, {
      runId: r.runId,
      step,
      problem: r.previous.problem,
      before: r.previous.code,
      after: r.code,
      family: r.family,
      success: resolved,
    });
    if (resolved) {
      await prisma.errorRecord.updateMany({ where: { runId: r.runId, step: previousStep }, data: { fixed: true } });
      await creditEarlierErrors(prisma, r, step);
    }
  }
}

/**
 * A chain of repairs that ends clean fixed every error met on the way: an earlier attempt whose repair
 * traded its error for another gets, as its fix, the diff from its own code to the clean code.
 */
async function creditEarlierErrors(prisma: PrismaClient, r: AttemptRecord, step: string): Promise<void> {
  const earlier = await prisma.algorithm.findMany({ where: { runId: r.runId, articleKey: r.articleKey, attempt: { lt: r.attempt - 1 } } });
  for (const a of earlier) {
    const error = await prisma.errorRecord.findUnique({ where: { runId_step: { runId: r.runId, step: `${r.articleKey}:${a.attempt}` } } });
    if (!error || error.fixed) continue;
    await recordFixOutcome(prisma, {
      runId: r.runId,
      step: `${step}<-${a.attempt}`,
      problem: { kind: error.kind as CodeProblem['kind'], message: error.message },
      before: a.code,
      after: r.code,
      family: r.family,
      success: true,
    });
    await prisma.errorRecord.update({ where: { id: error.id }, data: { fixed: true } });
  }
}

export async function recordError(
  prisma: PrismaClient,
  e: { runId: string; step: string; problem: CodeProblem; codeHash: string; family: string | null; provider?: string; model?: string },
): Promise<void> {
  const data = {
    kind: e.problem.kind,
    signature: errorSignature(e.problem.kind, e.problem.message),
    message: e.problem.message.slice(0, 4000),
    codeHash: e.codeHash,
    family: e.family,
    provider: e.provider,
    model: e.model,
  };
  await prisma.errorRecord.upsert({ where: { runId_step: { runId: e.runId, step: e.step } }, create: { runId: e.runId, step: e.step, ...data }, update: data });
}

/** Records whether a repair made its error go away; the fix's counts are recomputed from all uses. */
export async function recordFixOutcome(
  prisma: PrismaClient,
  o: { runId: string; step: string; problem: CodeProblem; before: string; after: string; family: string | null; success: boolean },
): Promise<void> {
  const signature = errorSignature(o.problem.kind, o.problem.message);
  const diff = lineDiff(o.before, o.after);
  if (!diff.trim()) return;
  const diffHash = createHash('sha256').update(diff).digest('hex');
  const fix = await prisma.fix.upsert({
    where: { signature_diffHash: { signature, diffHash } },
    create: { signature, diffHash, diff, kind: o.problem.kind, family: o.family },
    update: {},
  });
  await prisma.fixApplication.upsert({
    where: { runId_step: { runId: o.runId, step: o.step } },
    create: { runId: o.runId, step: o.step, fixId: fix.id, success: o.success },
    update: { fixId: fix.id, success: o.success },
  });
  const [successes, failures] = await Promise.all([
    prisma.fixApplication.count({ where: { fixId: fix.id, success: true } }),
    prisma.fixApplication.count({ where: { fixId: fix.id, success: false } }),
  ]);
  await prisma.fix.update({ where: { id: fix.id }, data: { successes, failures } });
}

export async function recordBacktest(
  prisma: PrismaClient,
  b: {
    runId: string;
    codeHash: string;
    family: string | null;
    projectId?: number;
    backtestId?: string;
    start?: string;
    end?: string;
    /** Which side of a holdout split the period is; absent when the run did not split its period. */
    sample?: 'in-sample' | 'out-of-sample';
    statistics: StatisticsSummary | null;
    rawStatistics?: Record<string, string>;
    error?: string;
  },
): Promise<void> {
  const s = b.statistics;
  const data = {
    family: b.family,
    sample: b.sample ?? null,
    projectId: b.projectId,
    backtestId: b.backtestId,
    startDate: b.start,
    endDate: b.end,
    statistics: b.rawStatistics ? JSON.stringify(b.rawStatistics) : null,
    sharpeRatio: s?.sharpeRatio ?? null,
    drawdown: s?.drawdown ?? null,
    annualReturn: s?.compoundingAnnualReturn ?? null,
    netProfit: s?.netProfit ?? null,
    winRate: s?.winRate ?? null,
    totalOrders: s?.totalOrders === null || s?.totalOrders === undefined ? null : Math.round(s.totalOrders),
    error: b.error ?? null,
  };
  await prisma.backtest.upsert({ where: { runId_codeHash: { runId: b.runId, codeHash: b.codeHash } }, create: { runId: b.runId, codeHash: b.codeHash, ...data }, update: data });
}

/**
 * A backtest already made of this exact program (same normalised code hash and period), in any
 * run, with its statistics; the oldest such backtest.
 */
export async function findBacktestedCode(prisma: PrismaClient, query: { codeHash: string; start?: string; end?: string }): Promise<RecordedBacktest | null> {
  const row = await prisma.backtest.findFirst({
    where: { codeHash: query.codeHash, error: null, sharpeRatio: { not: null }, startDate: query.start ?? null, endDate: query.end ?? null },
    orderBy: { createdAt: 'asc' },
  });
  if (!row) return null;
  return {
    runId: row.runId,
    statistics: {
      sharpeRatio: row.sharpeRatio,
      drawdown: row.drawdown,
      compoundingAnnualReturn: row.annualReturn,
      netProfit: row.netProfit,
      winRate: row.winRate,
      totalOrders: row.totalOrders,
    },
  };
}

/** Backtests a run paid for (a program backtested before, here or in another run, is not backtested again). */
export async function countBacktests(prisma: PrismaClient, runId: string): Promise<number> {
  return prisma.backtest.count({ where: { runId } });
}
