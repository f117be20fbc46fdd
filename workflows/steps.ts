import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Paper } from '../domain/papers';
import type { BacktestResult, CheckOutcome, PipelineTarget } from '../domain/pipeline';
import type { RunSettings } from '../domain/run-settings';
import type { StrategySpec } from '../domain/strategy';
import { qcProjectName, qcRunTag } from '../domain/quantconnect-names';
import { evaluateProgram, failureFrom, namedProject, type Evaluation, type EvaluationContext } from './evaluate';
import { servicePolicies } from './policies';
import { isPdfTarget, resolvePdfTarget } from './targets';

/**
 * The pipeline's steps as workflows of their own, for `quantcoder download|summarize|validate|backtest`:
 * each is durable and visible like a full run, and uses the same activities and retry policies.
 */
function proxies(settings: RunSettings) {
  const p = servicePolicies(workflowInfo().taskQueue, settings);
  return {
    crossref: proxyActivities<Activities>(p.crossref),
    arxiv: proxyActivities<Activities>(p.arxiv),
    download: proxyActivities<Activities>(p.download),
    llm: proxyActivities<Activities>(p.llm),
    qc: proxyActivities<Activities>(p.quantconnect),
    backtester: proxyActivities<Activities>(p.backtest),
    local: proxyActivities<Activities>(p.local),
  };
}

async function resolvePaper(target: PipelineTarget, a: ReturnType<typeof proxies>): Promise<Paper> {
  if (isPdfTarget(target)) return resolvePdfTarget(target, a);
  switch (target.kind) {
    case 'doi':
      return a.crossref.lookupDoi({ doi: target.doi });
    case 'arxiv':
      return a.arxiv.lookupArxiv({ arxivId: target.arxivId });
    case 'result':
      return a.local.paperForResult({ n: target.n });
    case 'topic': {
      const [first] = await a.crossref.searchCrossref({ query: target.query, rows: 1 });
      if (!first) throw ApplicationFailure.nonRetryable(`No paper found for "${target.query}"`, 'NoResults');
      return first;
    }
  }
}

export interface StepInput {
  target: PipelineTarget;
  settings: RunSettings;
}

/** Downloads a paper's PDF (by result number, DOI, arXiv id or link; a file is copied) into the downloads directory. */
export async function downloadStep(input: StepInput): Promise<{ paper: Paper; path: string; bytes: number; sha256: string }> {
  const a = proxies(input.settings);
  const paper = await resolvePaper(input.target, a);
  const pdf = await a.download.downloadPaper({ paper });
  return { paper, path: pdf.path, bytes: pdf.bytes, sha256: pdf.sha256 };
}

/** Downloads, extracts and summarises a paper into a strategy specification. */
export async function summarizeStep(
  input: StepInput,
): Promise<{ paper: Paper; spec: StrategySpec; sections: string[]; warnings: string[]; tokens: { input: number; output: number } }> {
  const a = proxies(input.settings);
  const paper = await resolvePaper(input.target, a);
  const pdf = await a.download.downloadPaper({ paper });
  const text = await a.local.extractPaperText({ pdfPath: pdf.path, paper });
  const summary = await a.llm.summarizePaper({ runId: workflowInfo().workflowId, articleKey: 'a1', paper, textSha256: text.textSha256, pdfPath: pdf.path });
  return { paper, spec: summary.spec, sections: text.sections, warnings: text.warning ? [text.warning] : [], tokens: summary.tokens };
}

export interface ValidateInput {
  code: string;
  localOnly: boolean;
  start?: string;
  end?: string;
  settings: RunSettings;
}

export interface ValidateOutput {
  /** A simulated QuantConnect compiled (and backtested) it: a worker in the sandbox profile. */
  simulated: boolean;
  check: CheckOutcome;
  compile: { compiled: boolean; logs: string[]; projectId: number; compileId: string } | null;
}

function stepContext(input: ValidateInput): EvaluationContext {
  const info = workflowInfo();
  return {
    runId: info.workflowId,
    settings: input.settings,
    family: null,
    start: input.start,
    end: input.end,
    project: namedProject(qcProjectName(qcRunTag(info.workflowId, info.firstExecutionRunId), 'algorithm')),
  };
}

function compileOf(e: Evaluation): ValidateOutput['compile'] {
  if (e.kind === 'failed' || !e.compile) return null;
  const { compiled, logs, projectId, compileId } = e.compile;
  return { compiled, logs, projectId, compileId };
}

/** A simulated QuantConnect compiled it (the worker runs the sandbox profile). */
function simulatedBy(e: Evaluation): boolean {
  return e.kind !== 'failed' && e.compile?.simulated === true;
}

/** The quality gate, then (unless local only) a QuantConnect compile of the fixed code. */
export async function validateStep(input: ValidateInput): Promise<ValidateOutput> {
  const e = await evaluateProgram({ code: input.code, key: 'validate', attempt: 1, previous: null }, { ...stepContext(input), stopAfter: input.localOnly ? 'check' : 'compile' });
  if (e.kind === 'failed') throw failureFrom(e);
  return { simulated: simulatedBy(e), check: e.check, compile: compileOf(e) };
}

/** Gate, compile and backtest one algorithm over [start, end]. */
export async function backtestStep(input: ValidateInput): Promise<ValidateOutput & { backtest: BacktestResult | null }> {
  const e = await evaluateProgram({ code: input.code, key: 'backtest', attempt: 1, previous: null }, stepContext(input));
  if (e.kind === 'failed') throw failureFrom(e);
  const simulated = simulatedBy(e);
  const output = { simulated, check: e.check, compile: compileOf(e) };
  switch (e.kind) {
    case 'scored':
      return { ...output, backtest: { kind: 'completed', backtestId: e.backtestId ?? '', statistics: e.statistics, rawStatistics: e.rawStatistics ?? {}, simulated } };
    case 'runtimeError':
      return { ...output, backtest: { kind: 'runtimeError', backtestId: e.backtestId, error: e.problem.message, stacktrace: null, simulated } };
    default:
      return { ...output, backtest: null };
  }
}
