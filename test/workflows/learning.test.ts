import { researchPipeline } from '../../workflows';
import type { PipelineInput, PipelineResult } from '../../domain/pipeline';
import { DEFAULT_RUN_SETTINGS } from '../../domain/run-settings';
import { testDeps } from '../helpers/deps';
import { testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testClient, uniqueTaskQueue, withWorkers } from '../helpers/temporal';

const TOPICS = ['momentum', 'mean reversion bollinger', 'pairs trading cointegration', 'volatility targeting', 'moving average trend', 'value quality factor'];

describe('the learning loop', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    // every answer carries a typical mistake: a syntax error needs a repair round trip
    sandbox = await testSandbox({ mistakeRate: 1 });
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('records an error and the fix that worked in run 1, offers it in the prompt of run 2, which needs fewer repairs', async () => {
    const deps = testDeps({ sandboxUrl: sandbox.url });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('learn');
    const run = (query: string, n: number) =>
      client.workflow.execute(researchPipeline, {
        taskQueue,
        workflowId: `pipeline-${taskQueue}-${n}`,
        args: [{ target: { kind: 'topic', query }, articles: 1, source: 'crossref', backtest: false, localOnly: true, maxAttempts: 6, settings: DEFAULT_RUN_SETTINGS } satisfies PipelineInput],
      });
    try {
      await withWorkers(
        deps,
        taskQueue,
        async () => {
          // run 1: the first topic whose generated code needed a repair
          let first: { result: PipelineResult; topic: string } | undefined;
          for (const [i, topic] of TOPICS.entries()) {
            const result = await run(topic, i);
            if (result.articles[0]!.repairAttempts > 0 && result.articles[0]!.error === null) {
              first = { result, topic };
              break;
            }
          }
          expect(first).toBeDefined();
          const run1 = first!.result.articles[0]!;

          // what was learned: the error, marked fixed, and the fix with a success
          const error = await deps.prisma.errorRecord.findFirst({ where: { runId: first!.result.runId, fixed: true } });
          expect(error).not.toBeNull();
          const fix = await deps.prisma.fix.findFirst({ where: { signature: error!.signature } });
          expect(fix).not.toBeNull();
          expect(fix!.successes).toBeGreaterThan(0);

          // run 2, same strategy family: the fix is in the stored generate prompt, and fewer repairs are needed
          const second = await run(first!.topic, 99);
          const run2 = second.articles[0]!;
          expect(run2.family).toBe(run1.family);
          const call = await deps.prisma.llmCall.findFirst({ where: { runId: second.runId, task: 'generate' } });
          const prompt = await deps.artifacts.getText(call!.promptSha256);
          expect(prompt).toContain('Learned from earlier runs');
          expect(prompt).toContain(fix!.signature);
          expect(run2.error).toBeNull();
          expect(run2.repairAttempts).toBeLessThan(run1.repairAttempts);
        },
        deps.settings.config,
      );
    } finally {
      await client.connection.close();
      await deps.cleanup();
    }
  }, 180_000);
});
