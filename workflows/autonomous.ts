import { allHandlersFinished, condition, continueAsNew, defineQuery, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  budgetStop,
  isAccepted,
  paperIds,
  totalTokens,
  type AutonomousInput,
  type AutonomousResult,
  type AutonomousState,
  type AutonomousStatus,
  type IterationSummary,
} from '../domain/library';
import { addTokens, topicPipelineInput, ZERO_TOKENS, type PipelineResult } from '../domain/pipeline';
import { RUN_KIND, RUN_TOPIC } from '../domain/search-attributes';
import { failureOf } from './article';
import { researchPipeline } from './pipeline';
import { servicePolicies } from './policies';

export const autonomousStatusQuery = defineQuery<AutonomousStatus>('autonomousStatus');

/** Iterations kept in workflow state for the status query; the learning database keeps them all. */
const KEPT_ITERATIONS = 100;

/**
 * An autonomous run: iteration after iteration it searches the query for the next paper nobody
 * processed yet, and runs a research pipeline on it as a child workflow (summarise, generate,
 * validate, compile, backtest, repair) — whose prompts carry what the learning database has learned
 * from every earlier iteration and run. Each iteration's outcome and repairs are recorded. With
 * `revisit`, once no new paper is left it goes round the papers again. It stops at the iteration
 * limit, a budget, or when the query yields nothing more; it continues as new every few iterations.
 */
export async function autonomous(input: AutonomousInput, carried?: AutonomousState): Promise<AutonomousResult> {
  const info = workflowInfo();
  const local = proxyActivities<Activities>(servicePolicies(info.taskQueue, input.settings).local);
  const state: AutonomousState = carried ?? {
    startedAtMs: Date.now(),
    iteration: 0,
    pass: 0,
    processedThisPass: [],
    iterations: [],
    tokens: ZERO_TOKENS,
    executions: 0,
    stopReason: null,
  };
  state.executions++;
  let current: string | null = null;
  let finished = false;

  const elapsedMinutes = () => (Date.now() - state.startedAtMs) / 60_000;
  setHandler(autonomousStatusQuery, () => ({
    id: info.workflowId,
    query: input.query,
    status: finished ? 'completed' : 'running',
    iteration: state.iteration,
    maxIterations: input.maxIterations,
    current,
    accepted: state.iterations.filter((i) => i.accepted).length,
    tokens: state.tokens,
    elapsedMinutes: Math.round(elapsedMinutes() * 100) / 100,
    stopReason: state.stopReason,
    iterations: state.iterations,
  }));

  const finish = (reason: string): AutonomousResult => {
    state.stopReason = reason;
    finished = true;
    return { id: info.workflowId, query: input.query, reason, iterations: state.iterations, accepted: state.iterations.filter((i) => i.accepted).length, tokens: state.tokens };
  };

  for (let thisExecution = 0; ; thisExecution++) {
    if (state.iteration >= input.maxIterations) return finish(`${input.maxIterations} iteration(s) done`);
    const over = budgetStop(input.budget, { minutes: elapsedMinutes(), tokens: totalTokens(state.tokens) });
    if (over) return finish(over);
    if (thisExecution >= input.iterationsPerExecution || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof autonomous>(input, state);
    }

    const n = state.iteration + 1;
    const childId = `${info.workflowId}-i${n}${state.pass > 0 ? `-p${state.pass + 1}` : ''}`;
    // the first pass takes only papers no run has processed; later passes only skip this pass's papers
    const processed = state.pass === 0 ? await local.processedPaperIds() : [];
    current = childId;
    let result: PipelineResult | null = null;
    let error: string | null = null;
    try {
      result = await executeChild(researchPipeline, {
        workflowId: childId,
        workflowTaskTimeout: workflowInfo().taskTimeoutMs,
        args: [topicPipelineInput(input.query, 1, input, [...processed, ...state.processedThisPass])],
        typedSearchAttributes: [
          { key: RUN_KIND, value: 'pipeline' },
          { key: RUN_TOPIC, value: input.query },
        ],
      });
    } catch (err) {
      error = failureOf(err).message;
    }
    current = null;

    const article = result?.articles[0] ?? null;
    if (result) {
      state.tokens = addTokens(state.tokens, result.tokens);
      for (const p of [...result.articles, ...result.skipped]) state.processedThisPass.push(...paperIds(p).filter((id) => !state.processedThisPass.includes(id)));
      if (!article) {
        const passFoundPapers = state.iterations.some((i) => i.title !== null && passOf(i.childRunId) === state.pass);
        if (input.revisit && (state.pass === 0 || passFoundPapers)) {
          state.pass++;
          state.processedThisPass = [];
          continue;
        }
        return finish(state.pass === 0 && !input.revisit ? 'no unprocessed paper left for the query' : 'no readable paper found for the query');
      }
    }

    const accepted = article ? isAccepted(article, input.minSharpe) : false;
    const summary: IterationSummary = {
      iteration: n,
      childRunId: childId,
      title: article?.title ?? null,
      doi: article?.doi ?? null,
      arxivId: article?.arxivId ?? null,
      family: article?.family ?? null,
      compiled: article?.compiled ?? false,
      repairAttempts: article?.repairAttempts ?? 0,
      sharpeRatio: article?.statistics?.sharpeRatio ?? null,
      accepted,
      error: error ?? article?.error ?? null,
      tokens: result?.tokens ?? ZERO_TOKENS,
    };
    await local.recordAutonomousIteration({ runId: info.workflowId, iteration: n, query: input.query, childRunId: childId, result: article, accepted, error: summary.error, tokens: summary.tokens });
    state.iteration = n;
    state.iterations.push(summary);
    if (state.iterations.length > KEPT_ITERATIONS) state.iterations.splice(0, state.iterations.length - KEPT_ITERATIONS);
  }
}

/** The revisiting pass an iteration's child belonged to (its id ends in `-p<k>` after the first). */
function passOf(childRunId: string): number {
  const m = /-p(\d+)$/.exec(childRunId);
  return m ? Number(m[1]) - 1 : 0;
}
