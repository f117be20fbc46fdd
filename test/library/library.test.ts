import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { unzipSync } from 'fflate';
import { LIBRARY_DEFAULTS, type LibraryInput, type LibraryResult } from '../../domain/library';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';
import { DEFAULT_TAXONOMY, selectCategories } from '../../domain/taxonomy';
import { libraryBuild } from '../../workflows';
import { runCli } from '../helpers/cli';
import { testDeps } from '../helpers/deps';
import { sandboxStats, testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { startTestWorkers, testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';

const THREE = ['momentum', 'mean_reversion', 'volatility'];

function libraryInput(name: string, over: Partial<LibraryInput> = {}): LibraryInput {
  return {
    ...LIBRARY_DEFAULTS,
    name,
    categories: selectCategories(DEFAULT_TAXONOMY, THREE, 1),
    concurrency: 3,
    budget: {},
    reprocess: false,
    source: 'crossref',
    settings: DEFAULT_RUN_SETTINGS,
    ...over,
  };
}

describe('library build in the sandbox', () => {
  let sandbox: SandboxHandle;
  let deps: ReturnType<typeof testDeps>;
  let client: Client;
  let workers: Worker[];
  let running: Promise<void>[];
  let connection: NativeConnection;
  let taskQueue: string;
  let first: LibraryResult;
  let backtestsAfterFirst: number;
  const env = () => ({ QUANTCODER_HOME: deps.home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: taskQueue });
  const build = (id: string, input: LibraryInput) => client.workflow.execute(libraryBuild, { taskQueue, workflowId: id, args: [input] });

  beforeAll(async () => {
    sandbox = await testSandbox();
    deps = testDeps({ sandboxUrl: sandbox.url });
    client = await testClient();
    taskQueue = uniqueTaskQueue('lib');
    ({ workers, connection } = await startTestWorkers(deps, taskQueue, deps.settings.config));
    running = workers.map((w) => w.run());
  });

  afterAll(async () => {
    workers.forEach((w) => w.shutdown());
    await Promise.allSettled(running);
    await connection.close();
    await client.connection.close();
    await deps.cleanup();
    await sandbox.stop();
  });

  it('completes a build over three categories, each reaching its target of accepted strategies', async () => {
    const before = await sandboxStats(sandbox.url);
    first = await build('library-three', libraryInput('three'));
    expect(first.reason).toBe('every category reached its target');
    expect(first.categories.map((c) => [c.id, c.accepted, c.state])).toEqual(THREE.map((id) => [id, 1, 'done']));
    for (const a of first.accepted) {
      expect(a.statistics.sharpeRatio).toBeGreaterThanOrEqual(0.5);
      expect(a.doi).toMatch(/^10\.5555\//);
    }
    // one child pipeline per category, each paper backtested once
    const children: string[] = [];
    for await (const w of client.workflow.list({ query: `TaskQueue = "${taskQueue}" AND WorkflowType = "researchPipeline"` })) children.push(w.workflowId);
    expect(children.sort()).toEqual(first.accepted.map((a) => a.childRunId).sort());
    const after = await sandboxStats(sandbox.url);
    backtestsAfterFirst = after.quantconnect.backtestsCreated;
    expect(after.quantconnect.backtestsCreated - before.quantconnect.backtestsCreated).toBe(3);
    const entries = await deps.prisma.libraryEntry.findMany({ where: { library: 'three' } });
    expect(entries.map((e) => e.category).sort()).toEqual([...THREE].sort());
    expect(new Set(entries.map((e) => e.doi)).size).toBe(3);
  });

  it('shows per category what is done, failed, and the best and mean Sharpe', async () => {
    const res = await runCli(['library', 'status', 'three', '--json'], env());
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { build: { status: string }; categories: Array<{ category: string; accepted: number; failed: number; target: number; bestSharpe: number; meanSharpe: number }> };
    expect(out.build.status).toBe('completed');
    for (const id of THREE) {
      const row = out.categories.find((c) => c.category === id)!;
      const accepted = first.accepted.find((a) => a.category === id)!;
      expect(row).toMatchObject({ accepted: 1, failed: 0, target: 1 });
      expect(row.bestSharpe).toBeCloseTo(accepted.statistics.sharpeRatio!, 6);
      expect(row.meanSharpe).toBeCloseTo(accepted.statistics.sharpeRatio!, 6);
    }
  });

  it('exports every accepted strategy with its statistics and source paper, as JSON and as a ZIP with an index', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-export-'));
    try {
      const jsonFile = path.join(dir, 'three.json');
      const res = await runCli(['library', 'export', 'three', '--format', 'json', '--output', jsonFile, '--json'], env());
      expect(res.code).toBe(0);
      const doc = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as {
        count: number;
        strategies: Array<{ category: string; code: string; statistics: { sharpeRatio: number }; paper: { title: string; doi: string; authors: string[]; year: number } }>;
      };
      expect(doc.count).toBe(3);
      for (const a of first.accepted) {
        const s = doc.strategies.find((x) => x.category === a.category)!;
        expect(s.paper).toMatchObject({ title: a.title, doi: a.doi });
        expect(s.paper.authors.length).toBeGreaterThan(0);
        expect(s.paper.year).toBeGreaterThan(1990);
        expect(s.statistics).toEqual(a.statistics);
        expect(s.code).toBe(fs.readFileSync(a.algorithmPath!, 'utf8'));
      }

      const zipFile = path.join(dir, 'three.zip');
      const zipped = await runCli(['library', 'export', 'three', '--format', 'zip', '--output', zipFile], env());
      expect(zipped.code).toBe(0);
      expect(zipped.stdout).toMatch(/Wrote 3 strategies of library three/);
      const entries = new Map(Object.entries(unzipSync(fs.readFileSync(zipFile))).map(([name, content]) => [name, Buffer.from(content).toString('utf8')]));
      const index = JSON.parse(entries.get('index.json')!) as { count: number; categories: Record<string, number>; strategies: Array<{ file: string; metadataFile: string; paper: { doi: string }; statistics: { sharpeRatio: number } }> };
      expect(index.count).toBe(3);
      expect(index.categories).toEqual({ momentum: 1, mean_reversion: 1, volatility: 1 });
      for (const s of index.strategies) {
        expect(entries.get(s.file)).toMatch(/class \w+\(QCAlgorithm\)/);
        expect(JSON.parse(entries.get(s.metadataFile)!)).toMatchObject({ paper: { doi: s.paper.doi }, statistics: s.statistics });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes over papers an earlier build processed: a second build of the same categories takes only other papers', async () => {
    // two children per workflow execution: the build continues as new with its state along the way
    const second = await build('library-again', libraryInput('again', { childrenPerExecution: 2 }));
    const executions: string[] = [];
    for await (const w of client.workflow.list({ query: `WorkflowId = "library-again"` })) executions.push(w.status.name);
    expect(executions.filter((s) => s === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(1);
    expect(second.childrenCompleted).toBeGreaterThan(2);
    const firstPapers = new Set(first.accepted.map((a) => a.doi));
    const tried = await deps.prisma.libraryAttempt.findMany({ where: { library: 'again' } });
    for (const t of tried) expect(firstPapers.has(t.paperKey)).toBe(false);
    for (const a of second.accepted) expect(firstPapers.has(a.doi)).toBe(false);
    // no paper was summarised twice across both builds, and every backtest is of a new paper
    const summaries = await deps.prisma.summary.findMany({ include: { article: true } });
    expect(new Set(summaries.map((s) => s.article.doi)).size).toBe(summaries.length);
    expect((await sandboxStats(sandbox.url)).quantconnect.backtestsCreated - backtestsAfterFirst).toBe(tried.filter((t) => t.sharpeRatio !== null).length);
    // the corpus holds one open paper per family: what is left runs out, and the build says for which category
    expect(second.categories.some((c) => c.state === 'exhausted')).toBe(true);
    expect(second.reason).toMatch(/^no new papers for /);
  });

  it('with a holdout, judges each paper on it, keeps both figures and exports them side by side with the DSR and verdict', async () => {
    const holdout = { start: '2018-07-02', end: '2019-12-31' };
    const input = libraryInput('holdout', { categories: selectCategories(DEFAULT_TAXONOMY, ['momentum'], 1), reprocess: true, minSharpe: -100, start: '2015-03-02', end: '2018-07-01', holdout });
    const result = await build('library-holdout', input);
    expect(result.accepted).toHaveLength(1);
    const entry = await deps.prisma.libraryEntry.findFirstOrThrow({ where: { library: 'holdout' } });
    const attempt = await deps.prisma.libraryAttempt.findFirstOrThrow({ where: { library: 'holdout', outcome: 'accepted' } });
    expect(entry.outOfSampleSharpe).toEqual(expect.any(Number));
    expect(attempt.outOfSampleSharpe).toBe(entry.outOfSampleSharpe);
    expect(entry).toMatchObject({ inSampleStart: '2015-03-02', holdoutStart: '2018-07-02', holdoutEnd: '2019-12-31' });
    expect(JSON.parse(entry.outOfSampleStatistics!)).not.toEqual(JSON.parse(entry.statistics));

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-export-'));
    try {
      const file = path.join(dir, 'holdout.json');
      const res = await runCli(['library', 'export', 'holdout', '--output', file, '--json'], env());
      expect(res.code).toBe(0);
      const [s] = (JSON.parse(res.stdout) as { strategies: Array<Record<string, unknown>> }).strategies;
      expect(s).toMatchObject({
        inSample: JSON.parse(entry.statistics),
        outOfSample: JSON.parse(entry.outOfSampleStatistics!),
        holdout,
        deflatedSharpe: expect.any(Number),
        probabilisticSharpe: expect.any(Number),
        verdict: expect.stringMatching(/^(holds up|degrades|likely overfit)$/),
      });
      // the trials are the papers the category backtested, among which the build kept this one
      expect(s!.trials).toBe(await deps.prisma.libraryAttempt.count({ where: { library: 'holdout', category: 'momentum', sharpeRatio: { not: null } } }));
      const text = await runCli(['library', 'export', 'holdout', '--output', file, '--force'], env());
      expect(text.stdout).toMatch(/Sharpe in\s+Sharpe out\s+DSR\s+Verdict/);
      expect(text.stdout).toContain(entry.outOfSampleSharpe!.toFixed(2));
      expect(text.stdout).toContain(String(s!.verdict));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('polishes an accepted strategy with a short evolution run when asked', async () => {
    const result = await build('library-polished', libraryInput('polished', { categories: selectCategories(DEFAULT_TAXONOMY, ['cross_asset'], 1), polishGenerations: 1 }));
    expect(result.accepted).toHaveLength(1);
    const accepted = result.accepted[0]!;
    expect(accepted.polish).not.toBeNull();
    const evolution = await client.workflow.getHandle(accepted.polish!.runId).describe();
    expect(evolution.type).toBe('evolutionRun');
    expect(evolution.status.name).toBe('COMPLETED');
    const variants = await deps.prisma.variant.findMany({ where: { runId: accepted.polish!.runId } });
    expect(variants.length).toBeGreaterThan(1);
    const entry = await deps.prisma.libraryEntry.findFirstOrThrow({ where: { library: 'polished' } });
    expect(entry.polishRunId).toBe(accepted.polish!.runId);
    expect(entry.polishImproved).toBe(accepted.polish!.improved);
    if (accepted.polish!.improved) expect(accepted.polish!.bestFitness!).toBeGreaterThan(accepted.polish!.baselineFitness!);
  });
});
