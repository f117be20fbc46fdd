import fs from 'node:fs';
import { specDrift } from '../../cli/spec-drift';
import { researchPipeline } from '../../workflows';
import type { PipelineInput, PipelineResult } from '../../domain/pipeline';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';
import { testDeps } from '../helpers/deps';

type TestDeps = ReturnType<typeof testDeps>;
import { testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testClient, uniqueTaskQueue, withWorkers } from '../helpers/temporal';
import { learningStoreLocation } from '../../store/open';

interface Planted {
  program: string;
  kind: string;
  item: string;
}

interface Counters {
  planted: Planted[];
  generated: number;
  unfaithfulAnswers: number;
  itemsRepaired: number;
  compilesChecked: number;
  compilesWithPlantedMistakes: number;
}

async function counters(url: string): Promise<Counters> {
  const stats = (await (await fetch(`${url}/__sandbox/stats`)).json()) as { unfaithful: Counters };
  return stats.unfaithful;
}

/** Counter changes between two readings; `planted` is what was planted in between. */
function delta(before: Counters, after: Counters): Counters {
  return {
    planted: after.planted.slice(before.planted.length),
    generated: after.generated - before.generated,
    unfaithfulAnswers: after.unfaithfulAnswers - before.unfaithfulAnswers,
    itemsRepaired: after.itemsRepaired - before.itemsRepaired,
    compilesChecked: after.compilesChecked - before.compilesChecked,
    compilesWithPlantedMistakes: after.compilesWithPlantedMistakes - before.compilesWithPlantedMistakes,
  };
}

const input = (over: Partial<PipelineInput> = {}): PipelineInput => ({
  target: { kind: 'topic', query: 'momentum' },
  articles: 2,
  source: 'crossref',
  backtest: false,
  localOnly: false,
  maxAttempts: 4,
  settings: DEFAULT_RUN_SETTINGS,
  ...over,
});

/** The items a faithfulness finding names, read from the message the repair prompt carried. */
function namedItems(message: string): string[] {
  return message
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .map((l) => {
      const named = /^- `([^`]+)`/.exec(l)![1]!;
      return /^(entry|exit|risk)\[/.test(named) ? named : `parameter ${named}`;
    })
    .sort();
}

describe('the faithfulness gate in the research pipeline (sandbox model planting departures from the specification)', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await testSandbox();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  async function run(deps: TestDeps, name: string, over: Partial<PipelineInput>): Promise<PipelineResult> {
    const client = await testClient();
    const taskQueue = uniqueTaskQueue(name);
    try {
      return await withWorkers(
        deps,
        taskQueue,
        () => client.workflow.execute(researchPipeline, { taskQueue, workflowId: `pipeline-${taskQueue}`, args: [input(over)] }),
        deps.settings.config,
      );
    } finally {
      await client.connection.close();
    }
  }

  /** The class name of each article's first attempt: the program the sandbox planted its mistakes in. */
  async function firstPrograms(deps: TestDeps, result: PipelineResult): Promise<Map<string, string>> {
    const rows = await deps.prisma.algorithm.findMany({ where: { attempt: 1 } });
    const programs = new Map<string, string>();
    for (const a of result.articles) {
      const code = rows.find((r) => r.articleKey === a.articleKey)!.code;
      programs.set(a.articleKey, /^class\s+(\w+)\s*\(/m.exec(code)![1]!);
    }
    return programs;
  }

  it('catches every planted departure before any compile, repairs it, and learns the fix', async () => {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    sandbox.configure({ unfaithfulRate: 1 });
    const before = await counters(sandbox.url);
    try {
      const result = await run(deps, 'faith', {});
      const d = delta(before, await counters(sandbox.url));
      expect(result.articles).toHaveLength(2);
      expect(d.generated).toBe(2);
      expect(d.unfaithfulAnswers).toBe(2);
      expect(d.planted.length).toBeGreaterThanOrEqual(2);

      const programs = await firstPrograms(deps, result);
      const errors = await deps.prisma.errorRecord.findMany({ where: { kind: 'faithfulness' } });
      for (const a of result.articles) {
        // the gate's first findings are exactly what was planted in this program: no miss, no false alarm
        const planted = d.planted.filter((p) => p.program === programs.get(a.articleKey)).map((p) => p.item).sort();
        expect(planted.length).toBeGreaterThan(0);
        const first = errors.find((e) => e.step === `${a.articleKey}:1`);
        expect(first).toBeDefined();
        expect(namedItems(first!.message)).toEqual(planted);
        expect(first!.signature.startsWith('faithfulness: ')).toBe(true);
        // repaired, then compiled: the final algorithm traces every item of its specification
        expect(a.error).toBeNull();
        expect(a.compiled).toBe(true);
        expect(a.repairAttempts).toBeGreaterThanOrEqual(1);
        expect(a.faithfulness).not.toBeNull();
        expect(a.faithfulness!.findings).toEqual([]);
        expect(a.faithfulness!.parameters.matched).toBe(a.faithfulness!.parameters.total);
        expect(a.faithfulness!.rules.implemented).toBe(a.faithfulness!.rules.total);
      }
      // one compile per article, none of a program still carrying a planted departure
      expect(d.compilesChecked).toBe(2);
      expect(d.compilesWithPlantedMistakes).toBe(0);
      expect(d.itemsRepaired).toBe(d.planted.length);
      // the repairs are learned like any other error's fixes
      const fixes = await deps.prisma.fix.findMany({ where: { kind: 'faithfulness' } });
      expect(fixes.length).toBeGreaterThan(0);
      expect(fixes.every((f) => f.successes > 0)).toBe(true);
    } finally {
      sandbox.configure({ unfaithfulRate: 0 });
      await deps.cleanup();
    }
  });

  it('raises no finding on faithful answers', async () => {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    const before = await counters(sandbox.url);
    try {
      const result = await run(deps, 'faithful', { target: { kind: 'topic', query: 'pairs trading cointegration' }, articles: 1 });
      const d = delta(before, await counters(sandbox.url));
      expect(d.planted).toEqual([]);
      expect(await deps.prisma.errorRecord.count({ where: { kind: 'faithfulness' } })).toBe(0);
      const [a] = result.articles;
      expect(a!.error).toBeNull();
      expect(a!.repairAttempts).toBe(0);
      expect(a!.faithfulness!.findings).toEqual([]);
      expect(a!.faithfulness!.parameters.total).toBeGreaterThan(0);
      expect(a!.faithfulness!.rules.total).toBeGreaterThan(0);
    } finally {
      await deps.cleanup();
    }
  });

  it('reports a departure that survives every attempt with the algorithm, which still compiles', async () => {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    sandbox.configure({ unfaithfulRate: 1 });
    const before = await counters(sandbox.url);
    try {
      const result = await run(deps, 'survive', { articles: 1, maxAttempts: 1 });
      const d = delta(before, await counters(sandbox.url));
      const [a] = result.articles;
      const programs = await firstPrograms(deps, result);
      const planted = d.planted.filter((p) => p.program === programs.get(a!.articleKey)).map((p) => p.item).sort();
      expect(a!.error).toBeNull();
      expect(a!.compiled).toBe(true);
      expect(a!.repairAttempts).toBe(0);
      expect(a!.faithfulness!.findings.map((f) => f.item).sort()).toEqual(planted);
      expect(d.compilesWithPlantedMistakes).toBe(1);
      // recorded in the learning database like any other error
      expect(await deps.prisma.errorRecord.count({ where: { kind: 'faithfulness' } })).toBe(1);
    } finally {
      sandbox.configure({ unfaithfulRate: 0 });
      await deps.cleanup();
    }
  });

  it('shows how far an evolved program drifted from the paper it was generated from', async () => {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    try {
      const result = await run(deps, 'drift', { target: { kind: 'topic', query: 'pairs trading cointegration' }, articles: 1, localOnly: true });
      const baseline = fs.readFileSync(result.articles[0]!.algorithmPath!, 'utf8');
      const unchanged = await specDrift(learningStoreLocation(deps.settings), baseline, baseline);
      expect(unchanged!.report.findings).toEqual([]);
      expect(unchanged!.title).toBe(result.articles[0]!.title);
      // an evolved program: the entry threshold tuned, the exit rule's marker gone with its rewrite
      const evolved = baseline.replace(/self\.entry_z = [\d.]+/, 'self.entry_z = 1.75').replace(/# rule: exit\[1\] ?/, '# ');
      const drift = await specDrift(learningStoreLocation(deps.settings), baseline, evolved);
      expect(drift!.lines[0]).toMatch(/^rules kept: (\d+)\/(\d+) — no longer marked: exit\[1\] '/);
      expect(drift!.lines).toContain('  entry_z: paper 2, now self.entry_z = 1.75');
      // a hand-written baseline has no paper to drift from
      expect(await specDrift(learningStoreLocation(deps.settings), 'class A(QCAlgorithm):\n    pass\n', evolved.replace(/^# Run: .*$/m, ''))).toBeNull();
    } finally {
      await deps.cleanup();
    }
  });

  it('negative control: with the gate off, the planted departures reach QuantConnect compiles', async () => {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    sandbox.configure({ unfaithfulRate: 1 });
    const before = await counters(sandbox.url);
    try {
      const result = await run(deps, 'nogate', { settings: { ...DEFAULT_RUN_SETTINGS, faithfulnessGate: false } });
      const d = delta(before, await counters(sandbox.url));
      expect(d.unfaithfulAnswers).toBe(2);
      expect(d.compilesChecked).toBe(2);
      expect(d.compilesWithPlantedMistakes).toBe(2);
      for (const a of result.articles) {
        expect(a.compiled).toBe(true);
        expect(a.faithfulness).toBeNull();
      }
    } finally {
      sandbox.configure({ unfaithfulRate: 0 });
      await deps.cleanup();
    }
  });
});
