import fs from 'node:fs';
import path from 'node:path';
import { migrateLearningDatabase, openLearningDatabase } from '../../store/database';
import { errorSignature, fixConfidence } from '../../domain/learning';
import { runCli, tempHome } from '../helpers/cli';

// every CLI call starts a Node process; on a busy machine a few of them take a while
jest.setTimeout(120_000);

// `learn` reads the learning database only; an address nothing listens on proves it never needs Temporal.
const NO_TEMPORAL = '127.0.0.1:1';

const day = (d: number) => new Date(Date.UTC(2026, 0, d));

/** Attempts of the repair loop: run → article → attempts (the last one compiled or not). */
const ATTEMPTS = [
  { runId: 'pipeline-early', family: 'momentum', at: 1, articles: { a1: { attempts: 3, compiled: true }, a2: { attempts: 2, compiled: true } } },
  { runId: 'pipeline-later', family: 'momentum', at: 10, articles: { a1: { attempts: 1, compiled: true } } },
  { runId: 'pipeline-meanrev', family: 'mean_reversion', at: 20, articles: { a1: { attempts: 2, compiled: false } } },
];
const COMPILE_MSG = (n: number) => `Build error: name 'self.fast_ma${n}' is not defined at line ${10 + n}`;
const ERRORS = [
  { runId: 'pipeline-early', step: 'a1:1', kind: 'compile', message: COMPILE_MSG(1), family: 'momentum', fixed: true },
  { runId: 'pipeline-early', step: 'a2:1', kind: 'compile', message: COMPILE_MSG(2), family: 'momentum', fixed: true },
  { runId: 'pipeline-meanrev', step: 'a1:1', kind: 'compile', message: COMPILE_MSG(3), family: 'mean_reversion', fixed: false },
  { runId: 'pipeline-early', step: 'a1:2', kind: 'lint', message: 'QC001: uses PascalCase API SetHoldings', family: 'momentum', fixed: false },
];
const FIXES = [
  { signature: errorSignature('compile', COMPILE_MSG(1)), kind: 'compile', diff: '- self.fast_ma.Current.Value\n+ self.fast_ma.current.value', successes: 3, failures: 1, family: 'momentum' },
  { signature: errorSignature('lint', 'QC001'), kind: 'lint', diff: '- self.SetHoldings(s, 1)\n+ self.set_holdings(s, 1)', successes: 0, failures: 2, family: 'mean_reversion' },
];
const BACKTESTS = [
  { runId: 'pipeline-early', codeHash: 'h1', family: 'momentum', sharpeRatio: 1.0, error: null },
  { runId: 'pipeline-later', codeHash: 'h2', family: 'momentum', sharpeRatio: 2.0, error: null },
  { runId: 'pipeline-meanrev', codeHash: 'h3', family: 'mean_reversion', sharpeRatio: null, error: 'Runtime Error: division by zero' },
];
const LLM_CALLS = [
  { runId: 'pipeline-early', callKey: 'a1:generate', task: 'generate', inputTokens: 1200, outputTokens: 800 },
  { runId: 'pipeline-early', callKey: 'a1:repair:1', task: 'repair', inputTokens: 900, outputTokens: 400 },
  { runId: 'pipeline-later', callKey: 'a1:generate', task: 'generate', inputTokens: 1000, outputTokens: 700 },
];

async function seededHome(): Promise<string> {
  const home = tempHome();
  const prisma = openLearningDatabase(migrateLearningDatabase(path.join(home, 'learning.db')).file);
  try {
    const article = await prisma.article.create({ data: { source: 'crossref', externalId: '10.1/tsm', title: 'Time Series Momentum', authors: '[]' } });
    for (const run of ATTEMPTS) {
      for (const [articleKey, a] of Object.entries(run.articles)) {
        for (let attempt = 1; attempt <= a.attempts; attempt++) {
          await prisma.algorithm.create({
            data: { runId: run.runId, articleKey, attempt, articleId: article.id, codeHash: `${run.runId}-${articleKey}-${attempt}`, code: 'pass', family: run.family, compiled: attempt === a.attempts && a.compiled, createdAt: day(run.at) },
          });
        }
      }
    }
    for (const e of ERRORS) await prisma.errorRecord.create({ data: { ...e, signature: errorSignature(e.kind, e.message), codeHash: 'x' } });
    for (const f of FIXES) await prisma.fix.create({ data: { ...f, diffHash: f.diff } });
    for (const b of BACKTESTS) await prisma.backtest.create({ data: b });
    for (const c of LLM_CALLS) await prisma.llmCall.create({ data: { ...c, provider: 'sandbox', model: 'm', promptSha256: 'p' } });
  } finally {
    await prisma.$disconnect();
  }
  return home;
}

describe('quantcoder learn', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    home = await seededHome();
    env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: NO_TEMPORAL };
  });
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('stats counts what was learned, without a Temporal server', async () => {
    const res = await runCli(['learn', 'stats', '--json'], env);
    expect(res.code).toBe(0);
    const stats = JSON.parse(res.stdout);
    const algorithms = ATTEMPTS.flatMap((r) => Object.values(r.articles)).reduce((n, a) => n + a.attempts, 0);
    expect(stats.counts).toMatchObject({ articles: 1, algorithms, errors: ERRORS.length, fixes: FIXES.length, backtests: BACKTESTS.length, llmCalls: LLM_CALLS.length });
    expect(stats.errorsByKind).toEqual({ compile: ERRORS.filter((e) => e.kind === 'compile').length, lint: ERRORS.filter((e) => e.kind === 'lint').length });
    const generate = LLM_CALLS.filter((c) => c.task === 'generate');
    expect(stats.llm).toContainEqual({ task: 'generate', calls: generate.length, inputTokens: generate.reduce((s, c) => s + c.inputTokens, 0), outputTokens: generate.reduce((s, c) => s + c.outputTokens, 0) });
  });

  it('stats lists runs in the order they started with mean attempts per article', async () => {
    const res = await runCli(['learn', 'stats', '--json'], env);
    const { repairsOverTime } = JSON.parse(res.stdout) as { repairsOverTime: Array<{ runId: string; meanAttempts: number; articles: number }> };
    expect(repairsOverTime.map((r) => r.runId)).toEqual(ATTEMPTS.map((r) => r.runId));
    for (const run of ATTEMPTS) {
      const attempts = Object.values(run.articles).map((a) => a.attempts);
      expect(repairsOverTime.find((r) => r.runId === run.runId)).toMatchObject({ articles: attempts.length, meanAttempts: attempts.reduce((a, b) => a + b, 0) / attempts.length });
    }
    const text = await runCli(['learn', 'stats'], env);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    const order = ATTEMPTS.map((r) => lines.findIndex((l) => l.includes(r.runId)));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('stats gives the success rate per strategy family, and --family narrows everything to one', async () => {
    const res = await runCli(['learn', 'stats', '--json'], env);
    const { families } = JSON.parse(res.stdout) as { families: Array<{ family: string; compileRate: number; backtestRate: number; meanSharpe: number | null }> };
    expect(families.find((f) => f.family === 'momentum')).toMatchObject({ compileRate: 1, backtestRate: 1, meanSharpe: 1.5 });
    expect(families.find((f) => f.family === 'mean_reversion')).toMatchObject({ compileRate: 0, backtestRate: 0, meanSharpe: null });
    const momentum = JSON.parse((await runCli(['learn', 'stats', '--family', 'momentum', '--json'], env)).stdout);
    expect(momentum.families.map((f: { family: string }) => f.family)).toEqual(['momentum']);
    expect(momentum.repairsOverTime.map((r: { runId: string }) => r.runId)).not.toContain('pipeline-meanrev');
    expect(momentum.counts.errors).toBe(ERRORS.filter((e) => e.family === 'momentum').length);
  });

  it('errors ranks signatures by frequency with the share a repair fixed and the families met', async () => {
    const res = await runCli(['learn', 'errors', '--json'], env);
    expect(res.code).toBe(0);
    const { signatures } = JSON.parse(res.stdout);
    const compile = ERRORS.filter((e) => e.kind === 'compile');
    // the three compile errors differ only in names and line numbers: one signature
    expect(signatures[0]).toMatchObject({ kind: 'compile', count: compile.length, fixed: compile.filter((e) => e.fixed).length, families: ['mean_reversion', 'momentum'] });
    expect(signatures[0].fixedShare).toBeCloseTo(compile.filter((e) => e.fixed).length / compile.length);
    expect(signatures).toHaveLength(2);
    const lint = JSON.parse((await runCli(['learn', 'errors', '--kind', 'lint', '--json'], env)).stdout);
    expect(lint.signatures.map((s: { kind: string }) => s.kind)).toEqual(['lint']);
    const text = await runCli(['learn', 'errors', '--limit', '1'], env);
    expect(text.stdout).toContain(signatures[0].signature.slice(0, 40));
    expect(text.stdout).not.toContain('lint: ');
  });

  it('fixes lists learned repairs, most confident first, with the diff', async () => {
    const res = await runCli(['learn', 'fixes', '--json'], env);
    expect(res.code).toBe(0);
    const { fixes } = JSON.parse(res.stdout);
    expect(fixes.map((f: { diff: string }) => f.diff)).toEqual(FIXES.map((f) => f.diff));
    expect(fixes[0].confidence).toBeCloseTo(fixConfidence(FIXES[0]!.successes, FIXES[0]!.failures));
    expect(fixes[1].confidence).toBeCloseTo(fixConfidence(FIXES[1]!.successes, FIXES[1]!.failures));
    const text = await runCli(['learn', 'fixes'], env);
    expect(text.stdout).toContain('+ self.fast_ma.current.value');
    expect(text.stdout).toContain(`confidence ${fixConfidence(3, 1).toFixed(2)}`);
    const meanrev = JSON.parse((await runCli(['learn', 'fixes', '--family', 'mean_reversion', '--json'], env)).stdout);
    expect(meanrev.fixes.map((f: { family: string }) => f.family)).toEqual(['mean_reversion']);
  });

  it('says nothing was learned yet on an empty database', async () => {
    const empty = tempHome();
    try {
      const res = await runCli(['learn', 'fixes'], { QUANTCODER_HOME: empty, TEMPORAL_ADDRESS: NO_TEMPORAL });
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/No fixes learned yet/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
