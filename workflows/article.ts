import {
  ApplicationFailure,
  ActivityFailure,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  addTokens,
  initialArticleResult,
  ZERO_TOKENS,
  type ArticleInput,
  type ArticleResult,
  type ArticleStage,
  type CodeProblem,
  type StatisticsSummary,
  type TokenCount,
} from '../domain/pipeline';
import { servicePolicies } from './policies';

export const articleStatusQuery = defineQuery<{ stage: ArticleStage; attempt: number; tokens: TokenCount; lastProblem: CodeProblem | null }>(
  'articleStatus',
);

/** Children tell their parent pipeline which stage they reached, so one query shows every article. */
export const articleStageSignal = defineSignal<[{ articleKey: string; stage: ArticleStage; error: string | null }]>('articleStage');

/** The failure's own message and type, under Temporal's activity wrapper. */
export function failureOf(err: unknown): { message: string; type: string | null } {
  const inner = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (inner instanceof ApplicationFailure) return { message: inner.message, type: inner.type ?? null };
  return { message: (inner as Error)?.message ?? String(inner), type: null };
}

/**
 * One paper, end to end: download → extract → summarise → generate → quality gate → compile →
 * backtest, with a repair loop that sends the exact error back to the LLM.
 */
export async function processArticle(input: ArticleInput): Promise<ArticleResult> {
  const policies = servicePolicies(workflowInfo().taskQueue, input.settings);
  const download = proxyActivities<Activities>(policies.download);
  const llm = proxyActivities<Activities>(policies.llm);
  const qc = proxyActivities<Activities>(policies.quantconnect);
  const backtester = proxyActivities<Activities>(policies.backtest);
  const local = proxyActivities<Activities>(policies.local);

  const { runId, articleKey, paper } = input;
  let stage: ArticleStage = 'queued';
  let attempt = 0;
  let tokens: TokenCount = ZERO_TOKENS;
  let lastProblem: CodeProblem | null = null;
  setHandler(articleStatusQuery, () => ({ stage, attempt, tokens, lastProblem }));

  const parent = workflowInfo().parent;
  // Progress reaches the parent without waiting for delivery: the signal leaves with the next command.
  const enter = async (next: ArticleStage, error: string | null = null) => {
    stage = next;
    if (parent) void getExternalWorkflowHandle(parent.workflowId).signal(articleStageSignal, { articleKey, stage: next, error }).catch(() => undefined);
  };

  const result: ArticleResult = initialArticleResult(paper, articleKey);

  try {
    await enter('download');
    const pdf = await download.downloadPaper({ paper });
    await enter('extract');
    const text = await local.extractPaperText({ pdfPath: pdf.path, paper });

    await enter('summarize');
    const summary = await llm.summarizePaper({ runId, articleKey, paper, textSha256: text.textSha256 });
    tokens = addTokens(tokens, summary.tokens);
    const family = summary.spec.family;
    result.family = family;

    await enter('generate');
    const generated = await llm.generateAlgorithm({ runId, articleKey, spec: summary.spec, start: input.start, end: input.end });
    tokens = addTokens(tokens, generated.tokens);
    let code = generated.code;
    let previous: { code: string; problem: CodeProblem } | null = null;
    let statistics: StatisticsSummary | null = null;

    // the faithfulness gate is on unless a run turns it off (older inputs have no such setting)
    const spec = input.settings.faithfulnessGate === false ? undefined : summary.spec;
    for (attempt = 1; ; attempt++) {
      await enter('validate');
      const check = await local.checkAlgorithm({ code, start: input.start, end: input.end, spec });
      code = check.code;
      result.codeHash = check.codeHash;
      result.faithfulness = check.faithfulness ?? null;
      let problem = check.problem;
      let compiledNow = false;
      // findings that survive every repair are reported with the algorithm rather than failing it
      const acceptUnfaithful = problem?.kind === 'faithfulness' && attempt >= input.maxAttempts;

      if ((!problem || acceptUnfaithful) && !input.localOnly) {
        await enter('compile');
        const compiled = await qc.compileAlgorithm({ projectName: `${runId}-${articleKey}`, code });
        if (compiled.compiled) {
          compiledNow = true;
          if (input.backtest) {
            await enter('backtest');
            const bt = await backtester.runBacktest({
              projectId: compiled.projectId,
              compileId: compiled.compileId,
              backtestName: `${runId}-${articleKey}-attempt-${attempt}`,
            });
            if (bt.kind === 'runtimeError') problem = { kind: 'runtime', message: `${bt.error}\n${bt.stacktrace ?? ''}`.trim() };
            else {
              statistics = bt.statistics;
              await local.recordBacktest({ runId, codeHash: check.codeHash, family, backtestId: bt.backtestId, projectId: compiled.projectId, start: input.start, end: input.end, statistics: bt.statistics, rawStatistics: bt.rawStatistics });
            }
          }
        } else problem = { kind: 'compile', message: compiled.logs.join('\n') || 'Build failed without logs' };
      }

      await local.recordAttempt({
        runId,
        articleKey,
        attempt,
        code,
        codeHash: check.codeHash,
        family,
        provider: generated.provider,
        model: generated.model,
        compiled: compiledNow && (!problem || problem.kind === 'faithfulness'),
        problem,
        previous,
      });

      if (!problem || (acceptUnfaithful && problem.kind === 'faithfulness')) {
        result.compiled = compiledNow;
        break;
      }
      lastProblem = problem;
      if (attempt >= input.maxAttempts) {
        throw ApplicationFailure.nonRetryable(
          `No working algorithm after ${attempt} attempt(s); last ${problem.kind} error: ${problem.message.split('\n')[0]}`,
          'RepairExhausted',
        );
      }
      await enter('repair');
      const repaired = await llm.repairAlgorithm({ runId, articleKey, attempt, code, problem, family });
      tokens = addTokens(tokens, repaired.tokens);
      result.repairAttempts++;
      previous = { code, problem };
      code = repaired.code;
    }

    result.statistics = statistics;
    result.algorithmPath = (await local.writeAlgorithmFile({ runId, articleKey, code, paper, statistics })).path;
    result.stage = 'done';
    await enter('done');
  } catch (err) {
    const { message, type } = failureOf(err);
    result.stage = stage;
    result.error = message;
    result.errorType = type;
    await enter('failed', message);
  }
  result.tokens = tokens;
  return result;
}
