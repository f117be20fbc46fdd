import { createHash } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { researchPipeline } from '../../workflows';
import { createActivities } from '../../activities';
import type { CodeOutcome, CodeProblem, PipelineInput, PipelineResult } from '../../domain/pipeline';
import type { LearnedContext } from '../../domain/prompts';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';
import { strategySpecSchema } from '../../domain/strategy';
import { testDeps } from '../helpers/deps';
import { sandboxStats, testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testClient, uniqueTaskQueue, withWorkers } from '../helpers/temporal';

const TOPICS = ['momentum', 'mean reversion bollinger', 'pairs trading cointegration', 'volatility targeting', 'moving average trend', 'value quality factor'];

type Deps = ReturnType<typeof testDeps>;

/** The real repair activity, run on an input whose error message was removed: the prompt names the kind of error only. */
const repairWithoutErrorMessage: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    execute: (input, next) => {
      if (ctx.info.activityType !== 'repairAlgorithm') return next(input);
      const [arg, ...rest] = input.args as [{ problem: CodeProblem }, ...unknown[]];
      return next({ ...input, args: [{ ...arg, problem: { ...arg.problem, message: '' } }, ...rest] });
    },
  },
});

/**
 * The learning loop against a model that has to be told the truth: its repairs need the actual
 * error message, and a learned fix changes its code only if the fix's diff applies to that code.
 * Every generated draft here slips (mistake rate 1); the same specification always slips the same way.
 */
describe('the learning loop with an honest model', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await testSandbox({ mistakeRate: 1 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  /** Runs one local-only pipeline per (topic, n) in a home of its own or a shared one. */
  async function pipelines<T>(deps: Deps, body: (run: (topic: string, n: number) => Promise<PipelineResult>) => Promise<T>, interceptors?: ActivityInterceptorsFactory[]): Promise<T> {
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('learn');
    const run = (query: string, n: number) =>
      client.workflow.execute(researchPipeline, {
        taskQueue,
        workflowId: `pipeline-${taskQueue}-${n}`,
        args: [{ target: { kind: 'topic', query }, articles: 1, source: 'crossref', backtest: false, localOnly: true, maxAttempts: 6, settings: DEFAULT_RUN_SETTINGS } satisfies PipelineInput],
      });
    try {
      return await withWorkers(deps, taskQueue, () => body(run), deps.settings.config, interceptors);
    } finally {
      await client.connection.close();
    }
  }

  /** Whether the run's generated draft put its code in a fence: then a syntax error is in the code itself, not prose around it. */
  async function fencedDraft(deps: Deps, runId: string): Promise<boolean> {
    const draft = await deps.prisma.llmCall.findFirstOrThrow({ where: { runId, task: 'generate' } });
    return (await deps.artifacts.getText(draft.answerSha256!)).includes('```python');
  }

  async function seedFix(deps: Deps, fix: { signature: string; diff: string; family: string; kind: string }): Promise<void> {
    const diffHash = createHash('sha256').update(fix.diff).digest('hex');
    await deps.prisma.fix.create({ data: { ...fix, diffHash, successes: 3, failures: 0 } });
  }

  it('run 2 needs fewer repairs than run 1; a fix for another error, or a diff that does not apply, gains nothing', async () => {
    const home = testDeps({ sandboxUrl: sandbox.url });
    const controls: Deps[] = [];
    try {
      // run 1: the first topic whose fenced code had a syntax error that a repair fixed (a repair
      // that needs the error message: prose around unfenced code goes whatever the prompt says)
      const { first, topic, second } = await pipelines(home, async (run) => {
        for (const [i, topic] of TOPICS.entries()) {
          const result = await run(topic, i);
          const fixedSyntax = await home.prisma.errorRecord.findFirst({ where: { runId: result.runId, kind: 'syntax', fixed: true } });
          if (result.articles[0]!.error === null && fixedSyntax && (await fencedDraft(home, result.runId))) return { first: result, topic, second: await run(topic, 99) };
        }
        throw new Error('no topic needed a syntax repair of its fenced code');
      });
      const run1 = first.articles[0]!;
      const run2 = second.articles[0]!;
      expect(run1.repairAttempts).toBeGreaterThan(0);

      // what run 1 learned: the error, marked fixed, and its fix (the repair's diff)
      const error = await home.prisma.errorRecord.findFirstOrThrow({ where: { runId: first.runId, kind: 'syntax', fixed: true } });
      const fix = await home.prisma.fix.findFirstOrThrow({ where: { signature: error.signature } });
      expect(fix.successes).toBeGreaterThan(0);

      // run 2, same paper: the fix is in its generate prompt, the model's draft is the same, and
      // the diff applied to it removes the slip
      expect(run2.family).toBe(run1.family);
      expect(run2.error).toBeNull();
      const call = await home.prisma.llmCall.findFirstOrThrow({ where: { runId: second.runId, task: 'generate' } });
      expect(await home.artifacts.getText(call.promptSha256)).toContain(fix.diff.split('\n')[0]!);
      expect(run2.repairAttempts).toBeLessThan(run1.repairAttempts);

      // controls, each in a fresh learning database: the same paper with one seeded fix
      const brokenLine = /^- (.*)$/m.exec(fix.diff)![1]!;
      const seeds = {
        // a fix that worked for another error (a PascalCase handler in another program)
        anotherError: { signature: "runtime: NotImplementedError : <text> must define initialize(self)", diff: '+     def initialize(self):\n-     def Initialize(self):', family: run1.family!, kind: 'runtime' },
        // this very fix, written so its removed line is not in the code
        notApplying: { signature: fix.signature, diff: fix.diff.replace(`- ${brokenLine}`, `- ${brokenLine}  # as it was`), family: run1.family!, kind: fix.kind },
      };
      for (const [name, seed] of Object.entries(seeds)) {
        const deps = testDeps({ sandboxUrl: sandbox.url });
        controls.push(deps);
        await seedFix(deps, seed);
        const control = await pipelines(deps, (run) => run(topic, 200 + controls.length));
        const prompt = await deps.artifacts.getText((await deps.prisma.llmCall.findFirstOrThrow({ where: { runId: control.runId, task: 'generate' } })).promptSha256);
        expect(prompt).toContain(seed.diff.split('\n')[1]!);
        expect({ control: name, repairs: control.articles[0]!.repairAttempts }).toEqual({ control: name, repairs: run1.repairAttempts });
      }
    } finally {
      await home.cleanup();
      for (const deps of controls) await deps.cleanup();
    }
  }, 300_000);

  it('a repair prompt without the error message gains nothing: no repair succeeds in run 1, and run 2 needs as many', async () => {
    const home = testDeps({ sandboxUrl: sandbox.url });
    try {
      // the scenario of the test above, on a worker whose repair activity never sees the error
      // message, for the first paper whose fenced code itself does not parse (prose around unfenced
      // code is dropped by any repair, told or not: that slip needs no message to be fixed)
      const { first, second } = await pipelines(
        home,
        async (run) => {
          for (const [i, topic] of TOPICS.entries()) {
            const result = await run(topic, i);
            const syntax = await home.prisma.errorRecord.findFirst({ where: { runId: result.runId, kind: 'syntax' } });
            if (syntax && (await fencedDraft(home, result.runId))) return { first: result, second: await run(topic, 99) };
          }
          throw new Error('no topic met a syntax error in fenced code');
        },
        [repairWithoutErrorMessage],
      );
      const run1 = first.articles[0]!;
      const run2 = second.articles[0]!;

      // the real activity ran: its repair prompts reached the model, naming the error's kind but not its message
      const error = await home.prisma.errorRecord.findFirstOrThrow({ where: { runId: first.runId, kind: 'syntax' } });
      const repairs = await home.prisma.llmCall.findMany({ where: { runId: first.runId, task: 'repair' } });
      expect(repairs.length).toBeGreaterThan(0);
      for (const call of repairs) {
        const prompt = await home.artifacts.getText(call.promptSha256);
        expect(prompt).toContain('syntax error:');
        expect(prompt).not.toContain(error.message.split('\n')[0]!);
      }

      // run 1: the model cannot fix what it is not told, so every repair fails and nothing is learned
      expect(run1.repairAttempts).toBeGreaterThan(0);
      expect(run1.error).not.toBeNull();
      expect(await home.prisma.errorRecord.count({ where: { runId: first.runId, fixed: true } })).toBe(0);
      expect(await home.prisma.fix.count({ where: { signature: error.signature } })).toBe(0);

      // run 2, same paper: no learned fix, the same slip, no fewer repairs
      expect(run2.family).toBe(run1.family);
      expect(run2.error).not.toBeNull();
      expect(run2.repairAttempts).toBeGreaterThanOrEqual(run1.repairAttempts);
    } finally {
      await home.cleanup();
    }
  }, 300_000);

  it('a retried generate activity builds the same prompt from the context the workflow read, and pays for no second answer', async () => {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    try {
      const acts = createActivities(deps);
      const env = new MockActivityEnvironment();
      const spec = strategySpecSchema.parse({
        title: 'Retry',
        family: 'trend',
        overview: 'A moving-average crossover.',
        mathematicalModel: 'fast SMA above slow SMA',
        signals: ['crossover'],
        entryRules: ['fast above slow'],
        exitRules: ['fast below slow'],
        riskManagement: ['none'],
        universe: { assets: ['SPY'], description: 'one ETF' },
        execution: { resolution: 'daily', rebalance: 'daily' },
        parameters: [{ name: 'fast_period', value: 50, description: 'fast' }],
      });
      const learned = (await env.run(acts.readLearnedContext, { family: 'trend' })) as LearnedContext;
      const input = { runId: 'retry-run', articleKey: 'a1', spec, learned };
      const first = (await env.run(acts.generateAlgorithm, input)) as CodeOutcome;
      const calls = (await sandboxStats(sandbox.url)).llm.calls;
      // meanwhile another run learns something for the family
      await seedFix(deps, { signature: 'syntax: SyntaxError: <text> was never closed', diff: '+         self.x = 1\n-         self.x = (1', family: 'trend', kind: 'syntax' });
      expect(((await env.run(acts.readLearnedContext, { family: 'trend' })) as LearnedContext).fixes).toHaveLength(1);
      // the retry gets the history's context, not the database's new one
      const retried = (await env.run(acts.generateAlgorithm, input)) as CodeOutcome;
      expect(retried.promptSha256).toBe(first.promptSha256);
      expect(retried.code).toBe(first.code);
      expect((await sandboxStats(sandbox.url)).llm.calls).toBe(calls);
    } finally {
      await deps.cleanup();
    }
  }, 60_000);
});
