import {
  ApplicationFailure,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  log,
  patched,
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
import { qcProjectName, qcRunTag } from '../domain/quantconnect-names';
import { evaluateProgram, failureFrom, failureOf, localStepActivities, namedProject, problemOf, type EvaluationContext } from './evaluate';
import { servicePolicies } from './policies';

export { failureOf } from './evaluate';

export const articleStatusQuery = defineQuery<{ stage: ArticleStage; attempt: number; tokens: TokenCount; lastProblem: CodeProblem | null }>(
  'articleStatus',
);

/**
 * How children once told their parent pipeline each stage they reached. An article now keeps its
 * stage to itself (`articleStatus` answers it when a client asks); runs that started before still
 * send it, and the pipeline still applies it.
 */
export const articleStageSignal = defineSignal<[{ articleKey: string; stage: ArticleStage; error: string | null }]>('articleStage');

/**
 * One paper, end to end: download → extract → summarise → generate → quality gate → compile →
 * backtest, with a repair loop that sends the exact error back to the LLM.
 */
export async function processArticle(input: ArticleInput): Promise<ArticleResult> {
  const policies = servicePolicies(workflowInfo().taskQueue, input.settings);
  const download = proxyActivities<Activities>(policies.download);
  const llm = proxyActivities<Activities>(policies.llm);
  const local = proxyActivities<Activities>(policies.local);
  // An article runs one step at a time, so its fast steps in the worker (the learned context, the
  // quality gate, the learning records, the algorithm file) run as local activities: no server
  // round trip and no workflow task each. Reading a paper's text may take seconds and stays an
  // activity. Runs started before replay their steps as activities.
  const localSteps = patched('article-local-steps');
  const inWorker = localSteps ? localStepActivities(input.settings) : local;

  const { runId, articleKey, paper } = input;
  let stage: ArticleStage = 'queued';
  let attempt = 0;
  let tokens: TokenCount = ZERO_TOKENS;
  let lastProblem: CodeProblem | null = null;
  setHandler(articleStatusQuery, () => ({ stage, attempt, tokens, lastProblem }));

  // A stage costs the parent nothing: a client asks `articleStatus` when it wants progress. Runs
  // started before that signalled their parent at every stage, and replay the same.
  const parent = patched('article-stage-query') ? undefined : workflowInfo().parent;
  const enter = async (next: ArticleStage, error: string | null = null) => {
    stage = next;
    if (parent) void getExternalWorkflowHandle(parent.workflowId).signal(articleStageSignal, { articleKey, stage: next, error }).catch(() => undefined);
  };

  const result: ArticleResult = initialArticleResult(paper, articleKey);
  const project = namedProject(qcProjectName(qcRunTag(workflowInfo().workflowId, workflowInfo().firstExecutionRunId), articleKey));

  try {
    await enter('download');
    const pdf = await download.downloadPaper({ paper });
    await enter('extract');
    const text = await local.extractPaperText({ pdfPath: pdf.path, paper });
    if (text.warning) result.warnings.push(text.warning);

    await enter('summarize');
    const summary = await llm.summarizePaper({ runId, articleKey, paper, textSha256: text.textSha256, pdfPath: pdf.path });
    tokens = addTokens(tokens, summary.tokens);
    const family = summary.spec.family;
    result.family = family;

    await enter('generate');
    // what was learned is read once, into history: a retried LLM activity builds the same prompt
    const learned = await inWorker.readLearnedContext({ family });
    const generated = await llm.generateAlgorithm({ runId, articleKey, spec: summary.spec, start: input.start, end: input.end, learned });
    tokens = addTokens(tokens, generated.tokens);
    let code = generated.code;
    let previous: { code: string; problem: CodeProblem } | null = null;
    let statistics: StatisticsSummary | null = null;
    const context: EvaluationContext = {
      runId,
      settings: input.settings,
      family,
      start: input.start,
      end: input.end,
      ...(input.holdout ? { sample: 'in-sample' as const } : {}),
      project,
      localSteps,
      stopAfter: input.localOnly ? 'check' : input.backtest ? undefined : 'compile',
      onStage: (s) => (s === 'queued' || s === 'compiled' ? undefined : enter(s === 'check' ? 'validate' : s)),
      // the faithfulness gate is on unless a run turns it off (older inputs have no such setting)
      spec: input.settings.faithfulnessGate === false ? undefined : summary.spec,
    };

    for (attempt = 1; ; attempt++) {
      // findings that survive every repair are reported with the algorithm rather than failing it
      const acceptUnfaithful = attempt >= input.maxAttempts;
      const evaluation = await evaluateProgram({ code, key: articleKey, attempt, previous, provider: generated.provider, model: generated.model, acceptUnfaithful }, context);
      if (evaluation.kind === 'failed') throw failureFrom(evaluation);
      code = evaluation.code;
      result.codeHash = evaluation.codeHash;
      result.faithfulness = evaluation.check.faithfulness ?? null;
      if (evaluation.kind === 'scored') statistics = evaluation.statistics;
      const problem = problemOf(evaluation);
      if (!problem) {
        result.compiled = evaluation.compile?.compiled ?? false;
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
      const fixes = await inWorker.readLearnedContext({ family, problem });
      const repaired = await llm.repairAlgorithm({ runId, articleKey, attempt, code, problem, family, learned: fixes });
      tokens = addTokens(tokens, repaired.tokens);
      result.repairAttempts++;
      previous = { code, problem };
      code = repaired.code;
    }

    result.statistics = statistics;
    // the holdout is backtested once, on the final algorithm: generation and repairs never saw it
    if (input.holdout && statistics && patched('article-holdout')) Object.assign(result, await backtestHoldout(input.holdout, statistics, { code, key: `${articleKey}-holdout`, attempt: 1, previous: null, acceptUnfaithful: true }, context));
    result.algorithmPath = (await inWorker.writeAlgorithmFile({ runId, articleKey, code, paper, statistics })).path;
    result.stage = 'done';
    await enter('done');
  } catch (err) {
    const { message, type } = failureOf(err);
    result.stage = stage;
    result.error = message;
    result.errorType = type;
    await enter('failed', message);
  }
  // the algorithm is written locally and its figures recorded: the account keeps no project of ours
  const projectId = project.projectId();
  if (projectId !== null && !input.keepProjects) {
    const qc = proxyActivities<Activities>(policies.quantconnect);
    await qc.deleteQuantCoderProjects({ projectIds: [projectId] }).catch((err: unknown) => {
      log.warn('The article could not delete its QuantConnect project; `quantcoder projects prune` removes it', { projectId, error: failureOf(err).message });
    });
  }
  result.tokens = tokens;
  return result;
}

/** The finished algorithm's one backtest on the holdout, beside its in-sample statistics. */
async function backtestHoldout(
  holdout: { start: string; end: string },
  inSample: StatisticsSummary,
  program: Parameters<typeof evaluateProgram>[0],
  context: EvaluationContext,
): Promise<Pick<ArticleResult, 'inSample' | 'outOfSample' | 'outOfSampleNote' | 'split'>> {
  const held = await evaluateProgram(program, { ...context, start: holdout.start, end: holdout.end, sample: 'out-of-sample', onStage: undefined, spec: undefined });
  const split = { inSample: { start: context.start ?? '', end: context.end ?? '' }, outOfSample: holdout };
  if (held.kind === 'scored') return { inSample, outOfSample: held.statistics, outOfSampleNote: null, split };
  const why = held.kind === 'failed' ? held.message : held.kind === 'skipped' ? held.detail : held.problem.message;
  return { inSample, outOfSample: null, outOfSampleNote: `the holdout backtest did not run: ${why.split('\n')[0]}`, split };
}
