import fs from 'node:fs';
import type { PrismaClient } from '@prisma/client';
import { mean, paperIds, paperKey, repairTrend } from '../domain/library';
import type { ArticleResult, StatisticsSummary, TokenCount } from '../domain/pipeline';
import { slugify } from '../domain/ids';
import { judgeBest, tradingDays } from '../domain/holdout';
import type { OverfittingVerdict } from '../domain/overfitting';
import { parseJson } from './json';

/** What became of a paper a build tried; `duplicate`: another category accepted the same paper first. */
export type LibraryOutcome = 'accepted' | 'rejected' | 'failed' | 'duplicate';

export interface LibraryResultRecord {
  library: string;
  buildId: string;
  category: string;
  query: string;
  childRunId: string;
  result: ArticleResult;
  outcome: LibraryOutcome;
  /** The short evolution run's best variant, when the strategy was polished. */
  polish: { runId: string; improved: boolean; code: string | null; statistics: StatisticsSummary | null } | null;
}

export interface IterationRecord {
  runId: string;
  iteration: number;
  query: string;
  childRunId: string;
  result: ArticleResult | null;
  accepted: boolean;
  error: string | null;
  tokens: TokenCount;
}

/** Records one iteration of an autonomous run (idempotent on run + iteration). */
export async function recordAutonomousIteration(prisma: PrismaClient, input: IterationRecord): Promise<void> {
  const r = input.result;
  const data = {
    query: input.query,
    childRunId: input.childRunId,
    paperKey: r ? paperKey(r) : null,
    title: r?.title ?? null,
    family: r?.family ?? null,
    compiled: r?.compiled ?? false,
    repairAttempts: r?.repairAttempts ?? 0,
    sharpeRatio: r?.statistics?.sharpeRatio ?? null,
    accepted: input.accepted,
    error: input.error,
    inputTokens: input.tokens.input,
    outputTokens: input.tokens.output,
  };
  await prisma.autonomousIteration.upsert({
    where: { runId_iteration: { runId: input.runId, iteration: input.iteration } },
    create: { runId: input.runId, iteration: input.iteration, ...data },
    update: data,
  });
}

/** DOIs and arXiv ids of every paper some earlier run summarised and generated code for. */
export async function processedPaperIds(prisma: PrismaClient): Promise<string[]> {
  const [summaries, algorithmRuns] = await Promise.all([
    prisma.summary.findMany({ select: { runId: true, article: { select: { doi: true, arxivId: true } } } }),
    prisma.algorithm.findMany({ distinct: ['runId'], select: { runId: true } }),
  ]);
  const generated = new Set(algorithmRuns.map((a) => a.runId));
  const ids = new Set<string>();
  for (const s of summaries) if (generated.has(s.runId)) for (const id of paperIds(s.article)) ids.add(id);
  return [...ids].sort();
}

/** Records a paper a library build tried, and — when accepted — the strategy as a library entry. */
export async function recordLibraryResult(prisma: PrismaClient, r: LibraryResultRecord): Promise<void> {
  const a = r.result;
  const key = paperKey(a);
  const attempt = {
    buildId: r.buildId,
    category: r.category,
    query: r.query,
    paperKey: key,
    title: a.title,
    family: a.family,
    outcome: r.outcome,
    compiled: a.compiled,
    repairAttempts: a.repairAttempts,
    sharpeRatio: a.statistics?.sharpeRatio ?? null,
    outOfSampleSharpe: a.outOfSample?.sharpeRatio ?? null,
    error: a.error,
  };
  const where = { library_childRunId_articleKey: { library: r.library, childRunId: r.childRunId, articleKey: a.articleKey } };
  await prisma.libraryAttempt.upsert({ where, create: { library: r.library, childRunId: r.childRunId, articleKey: a.articleKey, ...attempt }, update: attempt });
  if (r.outcome !== 'accepted' || !a.statistics) return;

  const code = a.algorithmPath && fs.existsSync(a.algorithmPath) ? fs.readFileSync(a.algorithmPath, 'utf8') : '';
  const article = await prisma.article.findFirst({
    where: { OR: [...(a.doi ? [{ doi: a.doi }] : []), ...(a.arxivId ? [{ arxivId: a.arxivId }] : []), { title: a.title }] },
    orderBy: { id: 'asc' },
  });
  const entry = {
    buildId: r.buildId,
    category: r.category,
    query: r.query,
    paperKey: key,
    doi: a.doi,
    arxivId: a.arxivId,
    title: a.title,
    authors: article?.authors ?? '[]',
    year: article?.year ?? null,
    url: article?.url ?? null,
    family: a.family,
    codeHash: a.codeHash ?? '',
    code,
    algorithmPath: a.algorithmPath,
    statistics: JSON.stringify(a.statistics),
    sharpeRatio: a.statistics.sharpeRatio,
    drawdown: a.statistics.drawdown,
    annualReturn: a.statistics.compoundingAnnualReturn,
    polishRunId: r.polish?.runId ?? null,
    polishImproved: r.polish?.improved ?? false,
    polishedCode: r.polish?.improved ? r.polish.code : null,
    polishedStatistics: r.polish?.improved && r.polish.statistics ? JSON.stringify(r.polish.statistics) : null,
    outOfSampleStatistics: a.outOfSample ? JSON.stringify(a.outOfSample) : null,
    outOfSampleSharpe: a.outOfSample?.sharpeRatio ?? null,
    inSampleStart: a.split?.inSample.start || null,
    holdoutStart: a.split?.outOfSample.start ?? null,
    holdoutEnd: a.split?.outOfSample.end ?? null,
  };
  await prisma.libraryEntry.upsert({ where, create: { library: r.library, childRunId: r.childRunId, articleKey: a.articleKey, ...entry }, update: entry });
}

// ── Reading libraries back (status, export) ─────────────────────────────────────────────────────

export interface LibraryCategoryReport {
  category: string;
  accepted: number;
  rejected: number;
  failed: number;
  bestSharpe: number | null;
  meanSharpe: number | null;
}

export interface LibraryReport {
  library: string;
  builds: string[];
  categories: LibraryCategoryReport[];
  accepted: number;
}

/** Per category: strategies accepted, rejected and failed, best Sharpe of all tried, mean Sharpe of the accepted. */
export async function libraryReport(prisma: PrismaClient, library: string): Promise<LibraryReport> {
  const [attempts, entries] = await Promise.all([
    prisma.libraryAttempt.findMany({ where: { library }, orderBy: { id: 'asc' } }),
    prisma.libraryEntry.findMany({ where: { library }, select: { category: true, sharpeRatio: true } }),
  ]);
  const byCategory = new Map<string, LibraryCategoryReport & { sharpes: number[]; acceptedSharpes: number[] }>();
  const row = (category: string) => {
    let r = byCategory.get(category);
    if (!r) byCategory.set(category, (r = { category, accepted: 0, rejected: 0, failed: 0, bestSharpe: null, meanSharpe: null, sharpes: [], acceptedSharpes: [] }));
    return r;
  };
  for (const a of attempts) {
    const r = row(a.category);
    if (a.outcome === 'rejected') r.rejected++;
    if (a.outcome === 'failed') r.failed++;
    if (a.sharpeRatio !== null) r.sharpes.push(a.sharpeRatio);
  }
  for (const e of entries) {
    const r = row(e.category);
    r.accepted++;
    if (e.sharpeRatio !== null) r.acceptedSharpes.push(e.sharpeRatio);
  }
  const categories = [...byCategory.values()].map(({ sharpes, acceptedSharpes, ...r }) => ({
    ...r,
    bestSharpe: sharpes.length ? Math.max(...sharpes) : null,
    meanSharpe: mean(acceptedSharpes),
  }));
  return { library, builds: [...new Set(attempts.map((a) => a.buildId))], categories, accepted: entries.length };
}

/** Names of the libraries the database knows, most recent first. */
export async function libraryNames(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.libraryAttempt.groupBy({ by: ['library'], _max: { id: true } });
  return rows.sort((a, b) => (b._max.id ?? 0) - (a._max.id ?? 0)).map((r) => r.library);
}

export interface ExportedStrategy {
  id: string;
  category: string;
  query: string;
  file: string;
  metadataFile: string;
  paper: { title: string; authors: string[]; year: number | null; doi: string | null; arxivId: string | null; url: string | null };
  family: string | null;
  codeHash: string;
  statistics: StatisticsSummary;
  /** With a holdout: the statistics on the in-sample period (the same as `statistics`) and on the holdout, judged. */
  inSample?: StatisticsSummary;
  outOfSample?: StatisticsSummary | null;
  holdout?: { start: string; end: string };
  /** Probability that the in-sample Sharpe ratio beats what luck gives the best of the category's backtested papers. */
  deflatedSharpe?: number | null;
  probabilisticSharpe?: number | null;
  /** The category's backtested papers: the trials the deflated Sharpe ratio accounts for. */
  trials?: number;
  verdict?: OverfittingVerdict | null;
  polished: { runId: string; statistics: StatisticsSummary | null } | null;
  run: { buildId: string; childRunId: string; articleKey: string };
  code: string;
}

export interface LibraryExport {
  library: string;
  exportedAt: string;
  count: number;
  categories: Record<string, number>;
  strategies: ExportedStrategy[];
}

/** Every accepted strategy of a library, with its paper, statistics and code, grouped by category. */
export async function libraryExport(prisma: PrismaClient, library: string, now = new Date()): Promise<LibraryExport> {
  const rows = await prisma.libraryEntry.findMany({ where: { library }, orderBy: [{ category: 'asc' }, { id: 'asc' }] });
  const attempts = await prisma.libraryAttempt.findMany({ where: { library, sharpeRatio: { not: null } }, select: { category: true, sharpeRatio: true } });
  const used = new Set<string>();
  const strategies = rows.map((r): ExportedStrategy => {
    let id = `${slugify(r.category, 24)}/${slugify(r.title, 48)}`;
    for (let n = 2; used.has(id); n++) id = `${slugify(r.category, 24)}/${slugify(r.title, 44)}-${n}`;
    used.add(id);
    const code = r.polishImproved && r.polishedCode ? r.polishedCode : r.code;
    return {
      id,
      category: r.category,
      query: r.query,
      file: `${id}/main.py`,
      metadataFile: `${id}/metadata.json`,
      paper: { title: r.title, authors: parseJson<string[]>(r.authors) ?? [], year: r.year, doi: r.doi, arxivId: r.arxivId, url: r.url },
      family: r.family,
      codeHash: r.codeHash,
      statistics: parseJson<StatisticsSummary>(r.statistics)!,
      ...holdoutCheck(r, attempts.filter((t) => t.category === r.category).map((t) => t.sharpeRatio!)),
      polished: r.polishRunId ? { runId: r.polishRunId, statistics: r.polishImproved ? parseJson<StatisticsSummary>(r.polishedStatistics) : null } : null,
      run: { buildId: r.buildId, childRunId: r.childRunId, articleKey: r.articleKey },
      code,
    };
  });
  const categories: Record<string, number> = {};
  for (const s of strategies) categories[s.category] = (categories[s.category] ?? 0) + 1;
  return { library, exportedAt: now.toISOString(), count: strategies.length, categories, strategies };
}

/**
 * An entry built with a holdout, judged as evolution judges its best: PSR and DSR of the in-sample
 * Sharpe ratio with the category's backtested papers as the trials (the build kept the best of them),
 * and the verdict with the out-of-sample Sharpe ratio. Nothing for an entry built without a holdout.
 */
function holdoutCheck(
  r: { codeHash: string; statistics: string; outOfSampleStatistics: string | null; inSampleStart: string | null; holdoutStart: string | null; holdoutEnd: string | null; childRunId: string },
  trialSharpes: number[],
): Partial<ExportedStrategy> {
  if (!r.holdoutStart || !r.holdoutEnd) return {};
  const inSample = parseJson<StatisticsSummary>(r.statistics)!;
  const outOfSample = parseJson<StatisticsSummary>(r.outOfSampleStatistics);
  const holdout = { start: r.holdoutStart, end: r.holdoutEnd };
  const dayBefore = new Date(Date.parse(`${r.holdoutStart}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const observations = r.inSampleStart ? tradingDays({ start: r.inSampleStart, end: dayBefore }) : 0;
  const judged = judgeBest({ best: { variantId: r.childRunId, codeHash: r.codeHash, statistics: inSample }, trialSharpes, observations, split: null, outOfSample, outOfSampleNote: null });
  return { inSample, outOfSample, holdout, deflatedSharpe: judged.deflatedSharpe, probabilisticSharpe: judged.probabilisticSharpe, trials: judged.trials, verdict: judged.verdict };
}

/** The files of an exported library: an index, and per strategy its code and its metadata. */
export function libraryExportFiles(exported: LibraryExport): Array<{ name: string; content: string }> {
  const { strategies, ...head } = exported;
  const index = { ...head, strategies: strategies.map(({ code: _code, ...s }) => s) };
  return [
    { name: 'index.json', content: `${JSON.stringify(index, null, 2)}\n` },
    ...strategies.flatMap((s) => {
      const { code, ...meta } = s;
      return [
        { name: s.file, content: code.endsWith('\n') ? code : `${code}\n` },
        { name: s.metadataFile, content: `${JSON.stringify(meta, null, 2)}\n` },
      ];
    }),
  ];
}

// ── Autonomous runs: what was learned ───────────────────────────────────────────────────────────

export interface AutonomousReport {
  runId: string;
  query: string | null;
  iterations: Array<{
    iteration: number;
    title: string | null;
    family: string | null;
    /** Generate-and-repair attempts recorded in the learning database for the strategy. */
    attempts: number;
    repairs: number;
    errors: number;
    errorRate: number | null;
    compiled: boolean;
    accepted: boolean;
    sharpeRatio: number | null;
  }>;
  repairs: { firstHalf: number | null; secondHalf: number | null };
  errorRate: { firstHalf: number | null; secondHalf: number | null };
  families: Array<{ family: string; strategies: number; compiled: number; accepted: number; successRate: number; meanSharpe: number | null }>;
  learnedFixes: number;
}

/**
 * What an autonomous run learned, from the learning database: per iteration the attempts and errors
 * its strategy needed (from the Algorithm and ErrorRecord rows of the iteration's pipeline run),
 * the trend from the first half to the second, and the success rate per strategy family.
 */
export async function autonomousReport(prisma: PrismaClient, runId: string): Promise<AutonomousReport | null> {
  const rows = await prisma.autonomousIteration.findMany({ where: { runId }, orderBy: { iteration: 'asc' } });
  if (!rows.length) return null;
  const childIds = rows.map((r) => r.childRunId);
  const [algorithms, errors, learnedFixes] = await Promise.all([
    prisma.algorithm.findMany({ where: { runId: { in: childIds } }, select: { runId: true, articleKey: true, attempt: true } }),
    prisma.errorRecord.groupBy({ by: ['runId'], where: { runId: { in: childIds } }, _count: { _all: true } }),
    prisma.fix.count({ where: { successes: { gt: 0 } } }),
  ]);
  const attemptsByRun = new Map<string, number>();
  for (const a of algorithms) attemptsByRun.set(a.runId, Math.max(attemptsByRun.get(a.runId) ?? 0, a.attempt));
  const algorithmRows = new Map<string, number>();
  for (const a of algorithms) algorithmRows.set(a.runId, (algorithmRows.get(a.runId) ?? 0) + 1);
  const errorsByRun = new Map(errors.map((e) => [e.runId, e._count._all]));

  const iterations = rows.map((r) => {
    const attempts = attemptsByRun.get(r.childRunId) ?? 0;
    const rowsOfRun = algorithmRows.get(r.childRunId) ?? 0;
    const errorCount = errorsByRun.get(r.childRunId) ?? 0;
    return {
      iteration: r.iteration,
      title: r.title,
      family: r.family,
      attempts,
      repairs: Math.max(attempts - 1, 0),
      errors: errorCount,
      errorRate: rowsOfRun ? errorCount / rowsOfRun : null,
      compiled: r.compiled,
      accepted: r.accepted,
      sharpeRatio: r.sharpeRatio,
    };
  });
  const generated = iterations.filter((i) => i.attempts > 0);
  const half = Math.floor(generated.length / 2);
  const rate = (xs: typeof generated) => {
    const attempts = xs.reduce((s, x) => s + x.attempts, 0);
    return attempts ? xs.reduce((s, x) => s + x.errors, 0) / attempts : null;
  };
  const families = new Map<string, { strategies: number; compiled: number; accepted: number; sharpes: number[] }>();
  for (const i of iterations.filter((x) => x.title !== null)) {
    const f = families.get(i.family ?? 'unknown') ?? { strategies: 0, compiled: 0, accepted: 0, sharpes: [] };
    f.strategies++;
    if (i.compiled) f.compiled++;
    if (i.accepted) f.accepted++;
    if (i.sharpeRatio !== null) f.sharpes.push(i.sharpeRatio);
    families.set(i.family ?? 'unknown', f);
  }
  return {
    runId,
    query: rows[0]!.query,
    iterations,
    repairs: repairTrend(generated.map((i) => ({ iteration: i.iteration, repairAttempts: i.repairs, title: i.title ?? '' }))),
    errorRate: { firstHalf: half ? rate(generated.slice(0, half)) : null, secondHalf: half ? rate(generated.slice(generated.length - half)) : null },
    families: [...families].map(([family, f]) => ({ family, strategies: f.strategies, compiled: f.compiled, accepted: f.accepted, successRate: f.accepted / f.strategies, meanSharpe: mean(f.sharpes) })),
    learnedFixes,
  };
}

/** The autonomous run ids the database knows, most recent first. */
export async function autonomousRunIds(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.autonomousIteration.groupBy({ by: ['runId'], _max: { id: true } });
  return rows.sort((a, b) => (b._max.id ?? 0) - (a._max.id ?? 0)).map((r) => r.runId);
}
