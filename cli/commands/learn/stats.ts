import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { table } from '../../format';
import { describeLearningStore, learningStoreLocation, readLearningStore } from '../../../store/open';

export interface LearningStats {
  database: string;
  family: string | null;
  counts: { articles: number; algorithms: number; errors: number; fixes: number; backtests: number; llmCalls: number; variants: number };
  errorsByKind: Record<string, number>;
  llm: Array<{ task: string; calls: number; inputTokens: number; outputTokens: number }>;
  /** Runs in the order they started: are fewer repair attempts needed as fixes are learned? */
  repairsOverTime: Array<{ runId: string; startedAt: string; articles: number; meanAttempts: number; compiled: number }>;
  families: Array<{ family: string; articles: number; compiled: number; compileRate: number; backtests: number; backtestsOk: number; backtestRate: number | null; meanSharpe: number | null }>;
}

const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);

export default class LearnStats extends BaseCommand<typeof LearnStats> {
  static override summary = 'What the learning database has learned: counts, repair attempts over time, success per strategy family.';
  static override description =
    'Reads the learning database only (no Temporal server needed). Counts articles, algorithms, errors by kind, learned ' +
    'fixes, backtests and LLM calls with tokens by task; lists runs in the order they started with the mean generate-and-' +
    'repair attempts per article (falling attempts mean learned fixes help); and, per strategy family, the share of articles ' +
    'whose algorithm compiled and of backtests that ran.';
  static override examples = ['<%= config.bin %> learn stats', '<%= config.bin %> learn stats --family momentum', '<%= config.bin %> learn stats --json | jq .repairsOverTime'];
  static override flags = {
    family: Flags.string({ summary: 'Only algorithms, errors, fixes and backtests of this strategy family.' }),
    limit: Flags.integer({ char: 'n', summary: 'How many of the latest runs to show in repairs over time.', default: 20, min: 1 }),
  };

  async run(): Promise<LearningStats> {
    const store = learningStoreLocation(this.settings);
    const database = describeLearningStore(store);
    const family = this.flags.family ?? null;
    const byFamily = family ? { family } : {};
    const [articles, algorithms, errors, fixes, backtests, llmCalls, variants, errorKinds, llmTasks, attempts, firstCalls, backtestRows] = await readLearningStore(store, [0, 0, 0, 0, 0, 0, 0, [], [], [], [], []], (prisma) =>
      Promise.all([
        prisma.article.count(),
        prisma.algorithm.count({ where: byFamily }),
        prisma.errorRecord.count({ where: byFamily }),
        prisma.fix.count({ where: byFamily }),
        prisma.backtest.count({ where: byFamily }),
        prisma.llmCall.count(),
        prisma.variant.count(),
        prisma.errorRecord.groupBy({ by: ['kind'], where: byFamily, _count: { _all: true }, orderBy: { kind: 'asc' } }),
        prisma.llmCall.groupBy({ by: ['task'], _count: { _all: true }, _sum: { inputTokens: true, outputTokens: true }, orderBy: { task: 'asc' } }),
        prisma.algorithm.findMany({ where: byFamily, select: { runId: true, articleKey: true, attempt: true, compiled: true, family: true, createdAt: true } }),
        prisma.llmCall.groupBy({ by: ['runId'], _min: { createdAt: true } }),
        prisma.backtest.findMany({ where: byFamily, select: { family: true, error: true, sharpeRatio: true } }),
      ]),
    );

    // one entry per article of a run: its last attempt number, and whether any attempt compiled
    const perArticle = new Map<string, { runId: string; family: string; attempts: number; compiled: boolean }>();
    const runStart = new Map<string, Date>(firstCalls.map((c) => [c.runId, c._min.createdAt!]));
    for (const a of attempts) {
      const key = `${a.runId}\u0000${a.articleKey}`;
      const seen = perArticle.get(key) ?? { runId: a.runId, family: a.family ?? 'unknown', attempts: 0, compiled: false };
      seen.attempts = Math.max(seen.attempts, a.attempt);
      seen.compiled ||= a.compiled;
      perArticle.set(key, seen);
      const start = runStart.get(a.runId);
      if (!start || a.createdAt < start) runStart.set(a.runId, a.createdAt);
    }
    const runs = new Map<string, { articles: number; attempts: number; compiled: number }>();
    for (const a of perArticle.values()) {
      const r = runs.get(a.runId) ?? { articles: 0, attempts: 0, compiled: 0 };
      r.articles++;
      r.attempts += a.attempts;
      if (a.compiled) r.compiled++;
      runs.set(a.runId, r);
    }
    const repairsOverTime = [...runs]
      .map(([runId, r]) => ({ runId, startedAt: runStart.get(runId)!.toISOString(), articles: r.articles, meanAttempts: Math.round((r.attempts / r.articles) * 100) / 100, compiled: r.compiled }))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId))
      .slice(-this.flags.limit);

    const families = new Map<string, LearningStats['families'][number] & { sharpes: number[] }>();
    const fam = (name: string) => {
      let f = families.get(name);
      if (!f) families.set(name, (f = { family: name, articles: 0, compiled: 0, compileRate: 0, backtests: 0, backtestsOk: 0, backtestRate: null, meanSharpe: null, sharpes: [] }));
      return f;
    };
    for (const a of perArticle.values()) {
      const f = fam(a.family);
      f.articles++;
      if (a.compiled) f.compiled++;
    }
    for (const b of backtestRows) {
      const f = fam(b.family ?? 'unknown');
      f.backtests++;
      if (!b.error) f.backtestsOk++;
      if (!b.error && b.sharpeRatio !== null) f.sharpes.push(b.sharpeRatio);
    }
    const familyRows = [...families.values()]
      .map(({ sharpes, ...f }) => ({
        ...f,
        compileRate: f.articles ? f.compiled / f.articles : 0,
        backtestRate: f.backtests ? f.backtestsOk / f.backtests : null,
        meanSharpe: sharpes.length ? Math.round((sharpes.reduce((s, x) => s + x, 0) / sharpes.length) * 1000) / 1000 : null,
      }))
      .sort((a, b) => b.articles + b.backtests - (a.articles + a.backtests) || a.family.localeCompare(b.family));

    const stats: LearningStats = {
      database,
      family,
      counts: { articles, algorithms, errors, fixes, backtests, llmCalls, variants },
      errorsByKind: Object.fromEntries(errorKinds.map((k) => [k.kind, k._count._all])),
      llm: llmTasks.map((t) => ({ task: t.task, calls: t._count._all, inputTokens: t._sum.inputTokens ?? 0, outputTokens: t._sum.outputTokens ?? 0 })),
      repairsOverTime,
      families: familyRows,
    };
    if (!this.jsonEnabled()) this.print(stats);
    return stats;
  }

  private print(s: LearningStats): void {
    const c = s.counts;
    this.log(`${s.database}${s.family ? ` (family ${s.family})` : ''}`);
    this.log(`articles ${c.articles} · algorithms ${c.algorithms} · errors ${c.errors} · fixes ${c.fixes} · backtests ${c.backtests} · LLM calls ${c.llmCalls} · evolution variants ${c.variants}`);
    const kinds = Object.entries(s.errorsByKind);
    this.log(`errors by kind: ${kinds.length ? kinds.map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}`);
    if (s.llm.length) {
      this.log('\nLLM calls by task');
      this.log(table(s.llm, [{ key: 'task', header: 'Task' }, { key: 'calls', header: 'Calls' }, { key: 'inputTokens', header: 'Input tokens' }, { key: 'outputTokens', header: 'Output tokens' }]));
    }
    if (s.repairsOverTime.length) {
      this.log('\nAttempts per article, runs in the order they started');
      this.log(table(s.repairsOverTime, [{ key: 'startedAt', header: 'Started' }, { key: 'runId', header: 'Run' }, { key: 'articles', header: 'Articles' }, { key: 'meanAttempts', header: 'Mean attempts' }, { key: 'compiled', header: 'Compiled' }]));
    }
    if (s.families.length) {
      this.log('\nSuccess by strategy family');
      this.log(
        table(
          s.families.map((f) => ({ ...f, compileRate: pct(f.compileRate), backtestRate: pct(f.backtestRate), meanSharpe: f.meanSharpe ?? '—' })),
          [
            { key: 'family', header: 'Family' },
            { key: 'articles', header: 'Articles' },
            { key: 'compileRate', header: 'Compiled' },
            { key: 'backtests', header: 'Backtests' },
            { key: 'backtestRate', header: 'Ran' },
            { key: 'meanSharpe', header: 'Mean Sharpe' },
          ],
        ),
      );
    }
    if (!c.algorithms && !c.errors && !c.backtests) this.log('\nNothing learned yet: run `quantcoder run <topic>` to start.');
  }
}
