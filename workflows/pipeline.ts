import { condition, defineQuery, patched, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Paper } from '../domain/papers';
import {
  addTokens,
  initialArticleResult,
  ZERO_TOKENS,
  type ArticleResult,
  type ArticleStage,
  type PipelineInput,
  type PipelineResult,
  type PipelineStatus,
} from '../domain/pipeline';
import { processArticle, articleStageSignal, failureOf } from './article';
import { localStepActivities } from './evaluate';
import { servicePolicies } from './policies';
import { isPdfTarget, resolvePdfTarget } from './targets';

export const pipelineStatusQuery = defineQuery<PipelineStatus>('pipelineStatus');

/** Failures that mean "this paper cannot be read": the pipeline moves on to the next candidate. */
const UNREADABLE = new Set(['NoOpenAccessError', 'NotAPdfError', 'CorruptPdfError', 'PdfTooLargeError', 'RedirectLoopError']);

/**
 * The research pipeline: resolve the papers (a search, a DOI, an arXiv id, a numbered result, or a
 * PDF the user gave as a file or link),
 * then process each as a child workflow, several in parallel, until `articles` papers were
 * processed or the candidates ran out. Papers without a readable PDF are skipped for the next one.
 */
export async function researchPipeline(input: PipelineInput): Promise<PipelineResult> {
  const info = workflowInfo();
  const policies = servicePolicies(info.taskQueue, input.settings);
  const local = proxyActivities<Activities>(policies.local);
  const crossref = proxyActivities<Activities>(policies.crossref);
  const arxiv = proxyActivities<Activities>(policies.arxiv);
  const download = proxyActivities<Activities>(policies.download);
  // the search results are stored by a local activity: nothing runs beside it (no article has
  // started yet), and it saves a server round trip; runs started before replay it as an activity
  const store = patched('pipeline-local-store') ? localStepActivities(input.settings) : local;

  const status: PipelineStatus = { stage: 'resolving', articles: [] };
  setHandler(pipelineStatusQuery, () => status);
  // An article's stages while it runs are its own (its `articleStatus` query); the pipeline records
  // where each ended. Articles started before that still signal each stage.
  const settle = (articleKey: string, stage: ArticleStage, error: string | null) => {
    const a = status.articles.find((x) => x.articleKey === articleKey);
    if (a) Object.assign(a, { stage, error });
  };
  setHandler(articleStageSignal, ({ articleKey, stage, error }) => settle(articleKey, stage, error));

  const resolved = await resolveCandidates(input, { local, store, crossref, arxiv, download });
  const candidates = withoutExcluded(resolved, input.excludeIds);
  status.stage = 'processing';

  const results: ArticleResult[] = [];
  const skipped: PipelineResult['skipped'] = [];
  let running = 0;
  const concurrency = Math.min(input.articles, 4);

  const launch = async (paper: Paper, index: number) => {
    const articleKey = `a${index + 1}`;
    const workflowId = `${info.workflowId}-${articleKey}`;
    status.articles.push({ articleKey, title: paper.title, stage: 'queued', error: null, workflowId });
    running++;
    try {
      const child = await startChild(processArticle, {
        workflowId,
        // children keep the run's workflow task timeout (Temporal would give them its 10 s default)
        workflowTaskTimeout: info.taskTimeoutMs,
        args: [{ runId: info.workflowId, articleKey, paper, backtest: input.backtest, localOnly: input.localOnly, maxAttempts: input.maxAttempts, start: input.start, end: input.end, ...(input.holdout ? { holdout: input.holdout } : {}), settings: input.settings, keepProjects: input.keepProjects }],
      });
      const result = await child.result();
      settle(articleKey, result.error ? 'failed' : 'done', result.error);
      if (result.stage === 'download' && result.errorType && UNREADABLE.has(result.errorType)) {
        skipped.push({ title: paper.title, doi: paper.doi, arxivId: paper.arxivId, reason: result.error ?? 'unreadable' });
      } else results.push(result);
    } catch (err) {
      const { message } = failureOf(err);
      settle(articleKey, 'failed', message);
      results.push({ ...initialArticleResult(paper, articleKey), error: message, stage: 'failed' });
    } finally {
      running--;
    }
  };

  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < candidates.length; index++) {
    // a slot must be free, and more articles must still be needed than are already running
    await condition(() => results.length >= input.articles || (running < concurrency && results.length + running < input.articles));
    if (results.length >= input.articles) break;
    inFlight.push(launch(candidates[index]!, index));
  }
  await Promise.all(inFlight);
  status.stage = 'done';

  results.sort((a, b) => Number(a.articleKey.slice(1)) - Number(b.articleKey.slice(1)));
  return {
    runId: info.workflowId,
    target: input.target,
    articles: results,
    skipped,
    tokens: results.reduce((t, r) => addTokens(t, r.tokens), ZERO_TOKENS),
    simulated: resolved.some((p) => p.simulated === true),
  };
}

type Proxies = { local: Activities; store: Activities; crossref: Activities; arxiv: Activities; download: Activities };

async function resolveCandidates(input: PipelineInput, p: Proxies): Promise<Paper[]> {
  const { target } = input;
  if (isPdfTarget(target)) return [await resolvePdfTarget(target, p)];
  switch (target.kind) {
    case 'topic': {
      // ask for more than needed: some papers have no open-access PDF, some were processed already
      const excluded = input.excludeIds?.length ?? 0;
      const rows = excluded ? Math.min(input.articles * 3 + 2 + excluded, 40) : Math.min(input.articles * 3 + 2, 25);
      const papers =
        input.source === 'arxiv'
          ? await p.arxiv.searchArxiv({ query: target.query, maxResults: rows })
          : await p.crossref.searchCrossref({ query: target.query, rows });
      await p.store.storeSearchResults({ workflowId: workflowInfo().workflowId, query: target.query, source: input.source, papers });
      return papers;
    }
    case 'doi':
      return [await p.crossref.lookupDoi({ doi: target.doi })];
    case 'arxiv':
      return [await p.arxiv.lookupArxiv({ arxivId: target.arxivId })];
    case 'result':
      return [await p.local.paperForResult({ n: target.n })];
  }
}

/** The candidates whose DOI or arXiv id is not in `excludeIds` (compared case-insensitively). */
function withoutExcluded(candidates: Paper[], excludeIds: string[] | undefined): Paper[] {
  if (!excludeIds?.length) return candidates;
  const excluded = new Set(excludeIds.map((id) => id.toLowerCase()));
  return candidates.filter((p) => ![p.doi, p.arxivId, p.externalId].some((id) => id && excluded.has(id.toLowerCase())));
}
