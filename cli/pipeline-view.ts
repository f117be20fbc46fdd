import type { Client, WorkflowHandle } from '@temporalio/client';
import { faithfulnessLine } from '../domain/faithfulness';
import type { ArticleResult, PipelineResult, PipelineStatus, StatisticsSummary } from '../domain/pipeline';
import { pipelineStatusQuery } from '../workflows/pipeline';
import { articleStatusQuery } from '../workflows/article';
import { followWorkflow } from './follow';
import { table } from './format';

/** Follows a pipeline run, printing each article's stage as it changes, until it finishes. */
export async function followPipeline(handle: WorkflowHandle, print: (line: string) => void, intervalMs = 1000): Promise<PipelineResult> {
  const seen = new Map<string, string>();
  return followWorkflow<PipelineStatus, PipelineResult>(
    handle,
    () => pipelineProgress(handle),
    (status) => {
      for (const a of status.articles) {
        const line = `${a.stage}${a.error ? `: ${a.error.split('\n')[0]}` : ''}`;
        if (seen.get(a.articleKey) !== line) {
          seen.set(a.articleKey, line);
          print(`  [${a.articleKey}] ${truncate(a.title, 50)} — ${line}`);
        }
      }
    },
    intervalMs,
  );
}

/**
 * The pipeline's status with the stage each running article has reached. The pipeline records where
 * an article ended; while it runs, the article itself answers (its `articleStatus` query), asked
 * only now, so its progress costs the pipeline no work. An article that cannot answer yet (not
 * started, or between tasks) shows as queued until the next look.
 */
export async function pipelineProgress(handle: WorkflowHandle): Promise<PipelineStatus> {
  const status = await handle.query(pipelineStatusQuery);
  const articles = await Promise.all(
    status.articles.map(async (a) => {
      if (a.stage !== 'queued') return a;
      try {
        const live = await handle.client.getHandle(a.workflowId ?? `${handle.workflowId}-${a.articleKey}`).query(articleStatusQuery);
        // an article's end (with its error) is the pipeline's to report
        return live.stage === 'done' || live.stage === 'failed' ? a : { ...a, stage: live.stage };
      } catch {
        return a;
      }
    }),
  );
  return { ...status, articles };
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function num(n: number | null | undefined, digits = 2, suffix = ''): string {
  return n === null || n === undefined ? '—' : `${n.toFixed(digits)}${suffix}`;
}

export function statisticsLine(s: StatisticsSummary | null): string {
  if (!s) return 'not backtested';
  return `Sharpe ${num(s.sharpeRatio)} · drawdown ${num(s.drawdown, 1, '%')} · CAR ${num(s.compoundingAnnualReturn, 1, '%')} · win ${num(s.winRate, 0, '%')} · orders ${num(s.totalOrders, 0)}`;
}

/** An article backtested with a holdout: its in-sample and out-of-sample statistics side by side. */
export function holdoutLine(a: Pick<ArticleResult, 'split' | 'inSample' | 'outOfSample' | 'outOfSampleNote'>): string {
  const { inSample: i, outOfSample: o } = a.split!;
  const out = a.outOfSample ? statisticsLine(a.outOfSample) : `none, ${a.outOfSampleNote ?? 'the holdout backtest did not run'}`;
  return `in sample ${i.start}..${i.end}: ${statisticsLine(a.inSample ?? null)} | out of sample ${o.start}..${o.end}: ${out}`;
}

/** The results table of a finished pipeline, as `run` and `runs show` print it. */
export function renderPipelineResult(result: PipelineResult): string {
  const rows = result.articles.map((a) => ({
    key: a.articleKey,
    title: a.title,
    family: a.family ?? '—',
    compiled: a.error ? 'no' : a.compiled ? 'yes' : 'local',
    repairs: a.repairAttempts,
    sharpe: num(a.statistics?.sharpeRatio),
    dd: num(a.statistics?.drawdown, 1, '%'),
    car: num(a.statistics?.compoundingAnnualReturn, 1, '%'),
    tokens: a.tokens.input + a.tokens.output,
  }));
  const lines = [
    table(rows, [
      { key: 'key', header: '#' },
      { key: 'title', header: 'Paper', max: 44 },
      { key: 'family', header: 'Family' },
      { key: 'compiled', header: 'Compiled' },
      { key: 'repairs', header: 'Repairs' },
      { key: 'sharpe', header: 'Sharpe' },
      { key: 'dd', header: 'Drawdown' },
      { key: 'car', header: 'CAR' },
      { key: 'tokens', header: 'Tokens' },
    ]),
  ];
  for (const a of result.articles) {
    if (a.algorithmPath) lines.push(`[${a.articleKey}] ${a.algorithmPath}`);
    // older results (and runs with the gate off) carry no faithfulness report
    if (a.faithfulness) lines.push(`[${a.articleKey}] faithfulness: ${faithfulnessLine(a.faithfulness)}`);
    if (a.split) lines.push(`[${a.articleKey}] ${holdoutLine(a)}`);
    if (a.error) lines.push(`[${a.articleKey}] failed at ${a.stage}: ${a.error.split('\n')[0]}`);
    // results recorded before warnings existed have none
    for (const w of a.warnings ?? []) lines.push(`[${a.articleKey}] warning: ${w}`);
  }
  for (const s of result.skipped) lines.push(`skipped: ${truncate(s.title, 60)} (${s.reason.split('\n')[0]})`);
  lines.push(`Tokens: ${result.tokens.input} in, ${result.tokens.output} out`);
  return lines.join('\n');
}

/**
 * What a pipeline run fell short of, in one line, or null when it processed every paper asked
 * for: nothing found, candidates without a readable PDF, fewer papers than requested.
 */
export function pipelineShortfall(result: PipelineResult, requested?: number): string | null {
  const processed = result.articles.length;
  const unreadable = result.skipped.length;
  if (processed === 0) {
    if (unreadable) return `No paper processed: none of the ${unreadable} candidate(s) for ${targetText(result.target)} had a readable PDF`;
    return `No paper found for ${targetText(result.target)}`;
  }
  if (requested !== undefined && processed < requested) {
    return `${processed} of ${requested} requested papers processed: no more candidates${unreadable ? ' with a readable PDF' : ' found'}`;
  }
  if (!result.articles.some((a) => a.algorithmPath)) return `No algorithm produced: every paper failed (see above)`;
  return null;
}

/** Whether a run produced nothing: no paper processed, or no algorithm written. */
export function producedNothing(result: PipelineResult): boolean {
  return !result.articles.some((a) => a.algorithmPath);
}

function targetText(target: PipelineResult['target']): string {
  switch (target.kind) {
    case 'topic':
      return `"${target.query}"`;
    case 'doi':
      return `DOI ${target.doi}`;
    case 'arxiv':
      return `arXiv id ${target.arxivId}`;
    case 'result':
      return `result ${target.n} of the latest search`;
    case 'file':
      return 'artifact' in target ? `the file ${target.name}.pdf` : `the file ${target.path}`;
    case 'url':
      return `the link ${target.url}`;
  }
}

export async function pipelineHandle(client: Client, runId: string): Promise<WorkflowHandle> {
  return client.workflow.getHandle(runId);
}
