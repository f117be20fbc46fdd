import { allHandlersFinished, condition, continueAsNew, defineQuery, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { slugify } from '../domain/ids';
import {
  budgetStop,
  categoryStatus,
  initialCategoryProgress,
  isAccepted,
  nextQuerySlot,
  paperIds,
  totalTokens,
  type AcceptedStrategy,
  type CategoryProgress,
  type LibraryInput,
  type LibraryResult,
  type LibraryState,
  type LibraryStatus,
  type PolishOutcome,
} from '../domain/library';
import { addTokens, topicPipelineInput, ZERO_TOKENS, type ArticleResult, type PipelineResult } from '../domain/pipeline';
import { RUN_KIND, RUN_TOPIC } from '../domain/search-attributes';
import { failureOf } from './article';
import { DEFAULT_EVOLUTION, evolutionRun } from './evolution';
import { researchPipeline } from './pipeline';
import { servicePolicies } from './policies';

export const libraryStatusQuery = defineQuery<LibraryStatus>('libraryStatus');

/**
 * A library build: for each category (highest priority first), research pipelines run as child
 * workflows over the category's queries — at most one per category and `concurrency` in all —
 * until the category holds `target` accepted strategies (backtested, Sharpe ≥ `minSharpe`), its
 * queries find no new paper, or a time or token budget runs out. Child ids are derived from the
 * build's id, tag, category, query and round, so a restarted worker replays finished children from
 * history and never runs one twice. After `childrenPerExecution` children the build waits for the
 * ones in flight and continues as new with its state, keeping history bounded.
 */
export async function libraryBuild(input: LibraryInput, carried?: LibraryState): Promise<LibraryResult> {
  const info = workflowInfo();
  const local = proxyActivities<Activities>(servicePolicies(info.taskQueue, input.settings).local);
  const state: LibraryState = carried ?? {
    startedAtMs: Date.now(),
    buildTag: info.firstExecutionRunId.replace(/-/g, '').slice(0, 8),
    tokens: ZERO_TOKENS,
    attempted: [],
    categories: input.categories.map(initialCategoryProgress),
    childrenCompleted: 0,
    executions: 0,
    stopReason: null,
  };
  state.executions++;
  const inFlight = new Map<string, string>();
  let finished = false;

  const elapsedMinutes = () => (Date.now() - state.startedAtMs) / 60_000;
  const status = (): LibraryStatus => ({
    id: info.workflowId,
    name: input.name,
    status: finished ? 'completed' : 'running',
    stopReason: state.stopReason,
    elapsedMinutes: Math.round(elapsedMinutes() * 100) / 100,
    tokens: state.tokens,
    budget: input.budget,
    minSharpe: input.minSharpe,
    childrenCompleted: state.childrenCompleted,
    executions: state.executions,
    categories: state.categories.map((c) => categoryStatus(c, inFlight.get(c.id) ?? null)),
  });
  setHandler(libraryStatusQuery, status);

  // Papers an earlier run processed are passed over (read once per execution), unless asked not to.
  const processedBefore = input.reprocess ? [] : await local.processedPaperIds();

  /** A short evolution run on an accepted strategy; the fittest variant replaces it only if fitter. */
  const polish = async (a: ArticleResult, childId: string): Promise<PolishOutcome & { code: string | null }> => {
    const runId = `${childId}-${a.articleKey}-polish`;
    const none = { runId, improved: false, baselineFitness: null, bestFitness: null, statistics: null, code: null };
    if (!a.algorithmPath) return none;
    try {
      const { code } = await local.readAlgorithmFile({ path: a.algorithmPath });
      const g = input.polishGenerations;
      const result = await executeChild(evolutionRun, {
        workflowId: runId,
        workflowTaskTimeout: workflowInfo().taskTimeoutMs,
        args: [
          {
            name: runId,
            baseline: code,
            family: a.family ?? undefined,
            settings: input.settings,
            config: { ...DEFAULT_EVOLUTION, generations: g, variants: 3, elite: 2, patience: g, concurrency: 2, budget: { maxBacktests: g * 3 + 1 }, start: input.start, end: input.end },
          },
        ],
        typedSearchAttributes: [
          { key: RUN_KIND, value: 'evolution' },
          { key: RUN_TOPIC, value: a.title },
        ],
      });
      state.tokens = addTokens(state.tokens, result.used.tokens);
      const baselineFitness = result.history[0]?.bestFitness ?? null;
      const best = result.best;
      const improved = !!best && baselineFitness !== null && best.fitness > baselineFitness + 1e-9;
      return { runId, improved, baselineFitness, bestFitness: best?.fitness ?? null, statistics: improved ? best.statistics : null, code: improved ? best.code : null };
    } catch {
      // a failed polish leaves the accepted strategy as it was
      return none;
    }
  };

  let launched = 0;
  let completions = 0;

  const runCategory = async (c: CategoryProgress, slot: { slot: number; queryIndex: number; round: number }) => {
    const childId = `${info.workflowId}-${state.buildTag}-${slugify(c.id, 24)}-q${slot.queryIndex + 1}-r${slot.round + 1}`;
    const query = c.queries[slot.queryIndex]!;
    c.nextSlot = slot.slot + 1;
    c.state = 'running';
    inFlight.set(c.id, childId);
    const articles = Math.max(1, Math.min(input.articlesPerRun, c.target - c.accepted.length));
    const pipelineInput = topicPipelineInput(query, articles, input, [...processedBefore, ...state.attempted]);
    try {
      const result: PipelineResult = await executeChild(researchPipeline, {
        workflowId: childId,
        workflowTaskTimeout: workflowInfo().taskTimeoutMs,
        args: [pipelineInput],
        typedSearchAttributes: [
          { key: RUN_KIND, value: 'pipeline' },
          { key: RUN_TOPIC, value: query },
        ],
      });
      state.tokens = addTokens(state.tokens, result.tokens);
      for (const p of [...result.articles, ...result.skipped]) for (const id of paperIds(p)) if (!state.attempted.includes(id)) state.attempted.push(id);
      if (result.articles.length === 0) c.exhaustedQueries.push(slot.queryIndex);
      for (const a of result.articles) {
        if (typeof a.statistics?.sharpeRatio === 'number') c.sharpes.push(a.statistics.sharpeRatio);
        // children of two categories running at once may both reach the same paper: it joins the library once
        const taken = new Set(state.categories.flatMap((x) => x.accepted.flatMap((e) => paperIds(e))));
        const duplicate = paperIds(a).some((id) => taken.has(id));
        const accepted = !duplicate && isAccepted(a, input.minSharpe) && c.accepted.length < c.target;
        const outcome = duplicate ? 'duplicate' : accepted ? 'accepted' : a.statistics && a.error === null ? 'rejected' : 'failed';
        const polished = accepted && input.polishGenerations > 0 ? await polish(a, childId) : null;
        await local.recordLibraryResult({
          library: input.name,
          buildId: info.workflowId,
          category: c.id,
          query,
          childRunId: childId,
          result: a,
          outcome,
          polish: polished ? { runId: polished.runId, improved: polished.improved, code: polished.code, statistics: polished.statistics } : null,
        });
        if (accepted) {
          const entry: AcceptedStrategy = {
            category: c.id,
            childRunId: childId,
            articleKey: a.articleKey,
            title: a.title,
            doi: a.doi,
            arxivId: a.arxivId,
            family: a.family,
            codeHash: a.codeHash,
            algorithmPath: a.algorithmPath,
            statistics: a.statistics!,
            polish: polished ? { runId: polished.runId, improved: polished.improved, baselineFitness: polished.baselineFitness, bestFitness: polished.bestFitness, statistics: polished.statistics } : null,
          };
          c.accepted.push(entry);
        } else if (outcome === 'rejected') c.rejected++;
        else if (outcome === 'failed') c.failed++;
      }
    } catch (err) {
      // the child pipeline itself failed (e.g. its search kept failing): count it, move to the next query
      c.failed++;
      c.lastError = failureOf(err).message;
    } finally {
      c.runs++;
      inFlight.delete(c.id);
      c.state = c.accepted.length >= c.target ? 'done' : nextQuerySlot(c, input.maxRounds) ? 'pending' : 'exhausted';
      state.childrenCompleted++;
      completions++;
    }
  };

  const mayLaunch = () => state.stopReason === null && launched < input.childrenPerExecution && !workflowInfo().continueAsNewSuggested;
  const children: Promise<void>[] = [];
  for (;;) {
    state.stopReason ??= budgetStop(input.budget, { minutes: elapsedMinutes(), tokens: totalTokens(state.tokens) });
    for (const c of state.categories) {
      if (!mayLaunch() || inFlight.size >= input.concurrency) break;
      if (c.state !== 'pending' || inFlight.has(c.id)) continue;
      const slot = nextQuerySlot(c, input.maxRounds);
      if (!slot) {
        c.state = 'exhausted';
        continue;
      }
      launched++;
      children.push(runCategory(c, slot));
    }
    if (inFlight.size === 0) break;
    const seen = completions;
    await condition(() => completions > seen);
  }
  await Promise.all(children);

  const open = state.categories.filter((c) => c.state === 'pending');
  if (state.stopReason === null && open.length > 0) {
    await condition(allHandlersFinished);
    return continueAsNew<typeof libraryBuild>(input, state);
  }
  for (const c of open) c.state = 'stopped';
  const short = state.categories.filter((c) => c.accepted.length < c.target);
  state.stopReason ??= short.length === 0 ? 'every category reached its target' : `no new papers for ${short.map((c) => c.id).join(', ')}`;
  finished = true;
  return {
    id: info.workflowId,
    name: input.name,
    reason: state.stopReason,
    categories: state.categories.map((c) => categoryStatus(c)),
    accepted: state.categories.flatMap((c) => c.accepted),
    tokens: state.tokens,
    childrenCompleted: state.childrenCompleted,
  };
}
