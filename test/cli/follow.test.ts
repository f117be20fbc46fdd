import type { WorkflowHandle } from '@temporalio/client';
import { defineQuery } from '@temporalio/workflow';
import { followWorkflow } from '../../cli/follow';
import { followPipeline, pipelineProgress } from '../../cli/pipeline-view';
import type { PipelineStatus } from '../../domain/pipeline';

interface Fake<R> {
  handle: WorkflowHandle;
  settle(outcome: { value: R } | { error: Error }): void;
  queries(): number;
}

/** A workflow handle whose queries answer from `answers` in turn (an Error is thrown) and whose result settles when told. */
function fakeHandle<S, R>(answers: Array<S | Error>): Fake<R> {
  let settle!: (o: { value: R } | { error: Error }) => void;
  const result = new Promise<R>((resolve, reject) => {
    settle = (o) => ('error' in o ? reject(o.error) : resolve(o.value));
  });
  let asked = 0;
  const handle = {
    result: () => result,
    query: async () => {
      const answer = answers[Math.min(asked++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as WorkflowHandle;
  return { handle, settle, queries: () => asked };
}

const statusQuery = defineQuery<{ n: number }>('status');

describe('followWorkflow', () => {
  it('hands each status to the view, passes over a failing query, and returns the result once it settles', async () => {
    const fake = fakeHandle<{ n: number }, string>([{ n: 1 }, new Error('between executions'), { n: 2 }, { n: 3 }]);
    const seen: number[] = [];
    const done = followWorkflow<{ n: number }, string>(
      fake.handle,
      statusQuery,
      (s) => {
        seen.push(s.n);
        if (s.n === 3) fake.settle({ value: 'finished' });
      },
      1,
    );
    await expect(done).resolves.toBe('finished');
    expect(seen).toEqual([1, 2, 3]);
    expect(fake.queries()).toBe(4);
  });

  it("rejects with the workflow's failure", async () => {
    const fake = fakeHandle<{ n: number }, string>([{ n: 1 }]);
    const done = followWorkflow<{ n: number }, string>(fake.handle, statusQuery, () => fake.settle({ error: new Error('workflow failed') }), 1);
    await expect(done).rejects.toThrow('workflow failed');
  });
});

describe('followPipeline', () => {
  it("prints an article's line only when its stage changes", async () => {
    const article = (stage: string) => ({ articleKey: '1', title: 'Momentum everywhere', stage, error: null });
    const status = (stage: string) => ({ articles: [article(stage)] }) as unknown as PipelineStatus;
    const fake = fakeHandle<PipelineStatus, { articles: [] }>([status('summarizing'), status('summarizing'), status('generating'), status('done')]);
    const lines: string[] = [];
    const done = followPipeline(
      fake.handle,
      (line) => {
        lines.push(line);
        if (line.endsWith('done')) fake.settle({ value: { articles: [] } });
      },
      1,
    );
    await expect(done).resolves.toEqual({ articles: [] });
    expect(lines).toEqual(['  [1] Momentum everywhere — summarizing', '  [1] Momentum everywhere — generating', '  [1] Momentum everywhere — done']);
  });
});

describe('pipelineProgress', () => {
  type Article = PipelineStatus['articles'][number];
  const article = (articleKey: string, stage: string, extra: Partial<Article> = {}) =>
    ({ articleKey, title: `Paper ${articleKey}`, stage, error: null, ...extra }) as Article;

  /** A pipeline handle whose client answers each article's own query from `children` (an Error is thrown). */
  function pipelineHandle(status: PipelineStatus, children: Record<string, { stage: string } | Error>) {
    const asked: string[] = [];
    const handle = {
      workflowId: 'run-1',
      query: async () => status,
      client: {
        getHandle: (id: string) => ({
          query: async () => {
            asked.push(id);
            const answer = children[id];
            if (!answer) throw new Error(`workflow ${id} not found`);
            if (answer instanceof Error) throw answer;
            return { attempt: 1, tokens: { input: 0, output: 0 }, lastProblem: null, ...answer };
          },
        }),
      },
    } as unknown as WorkflowHandle;
    return { handle, asked };
  }

  it("asks each running article for its stage, and leaves the pipeline's word on articles that ended", async () => {
    const status = {
      stage: 'processing',
      articles: [
        article('a1', 'done'),
        article('a2', 'failed', { error: 'no open-access PDF', workflowId: 'run-1-a2' }),
        article('a3', 'queued', { workflowId: 'run-1-a3' }),
        // a run started before the pipeline recorded child ids: the id follows the pipeline's naming
        article('a4', 'queued'),
        article('a5', 'queued', { workflowId: 'run-1-a5' }),
      ],
    } as PipelineStatus;
    const { handle, asked } = pipelineHandle(status, {
      'run-1-a3': { stage: 'generate' },
      'run-1-a4': { stage: 'backtest' },
      'run-1-a5': new Error('query failed: workflow task in flight'),
    });
    const progress = await pipelineProgress(handle);
    expect(progress.articles.map((a) => [a.articleKey, a.stage, a.error])).toEqual([
      ['a1', 'done', null],
      ['a2', 'failed', 'no open-access PDF'],
      ['a3', 'generate', null],
      ['a4', 'backtest', null],
      ['a5', 'queued', null],
    ]);
    expect(asked.sort()).toEqual(['run-1-a3', 'run-1-a4', 'run-1-a5']);
  });

  it('keeps an article that finished, but whose end the pipeline has not recorded yet, as the pipeline has it', async () => {
    const status = { stage: 'processing', articles: [article('a1', 'queued', { workflowId: 'run-1-a1' })] } as PipelineStatus;
    const { handle } = pipelineHandle(status, { 'run-1-a1': { stage: 'failed' } });
    expect((await pipelineProgress(handle)).articles[0]!.stage).toBe('queued');
  });
});
