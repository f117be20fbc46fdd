import type { AutonomousResult, LibraryResult } from '../domain/library';
import type { BacktestResult, PipelineResult } from '../domain/pipeline';
import type { OverfittingReport } from '../domain/holdout';
import type { EvolutionResult } from '../workflows/evolution';
import type { SearchOutput } from '../workflows/search';
import type { ValidateOutput } from '../workflows/steps';
import { renderIterations } from './commands/auto/start';
import { renderCategories } from './commands/library/build';
import { overfittingLines } from './evolution-view';
import { authorsShort, table } from './format';
import { renderPipelineResult, statisticsLine } from './pipeline-view';

/** The numbered results of a search, as `search` and `runs show|watch` print them. */
export function renderSearchResults(output: SearchOutput): string {
  if (!output.results.length) return `No papers found for "${output.query}".`;
  return table(
    output.results.map((r) => ({ n: r.n, year: r.year, title: r.title, authors: authorsShort(r.authors), doi: r.doi ?? r.arxivId })),
    [
      { key: 'n', header: '#' },
      { key: 'year', header: 'Year' },
      { key: 'title', header: 'Title', max: 60 },
      { key: 'authors', header: 'Authors', max: 40 },
      { key: 'doi', header: 'DOI' },
    ],
  );
}

/** An autonomous run's outcome: why it stopped, then one row per iteration. */
export function renderAutonomousResult(r: AutonomousResult): string {
  const head = `query "${r.query}" · ${r.iterations.length} iteration(s) · ${r.accepted} accepted · tokens ${r.tokens.input + r.tokens.output} · ${r.reason}`;
  return r.iterations.length ? `${head}\n${renderIterations(r.iterations)}` : head;
}

export function renderLibraryResult(r: LibraryResult): string {
  return `Library ${r.name}: ${r.accepted.length} accepted strategies · ${r.childrenCompleted} child runs · ${r.reason}\n${renderCategories(r.categories)}`;
}

/** What a `validate` or `backtest` run found. */
export function renderStepResult(r: ValidateOutput & { backtest?: BacktestResult | null }): string {
  const lines: string[] = [];
  if (r.check.problem) lines.push(`${r.check.problem.kind} error: ${r.check.problem.message.split('\n')[0]}`);
  else if (r.compile) lines.push(r.compile.compiled ? `Compiled on QuantConnect (project ${r.compile.projectId}).` : `Build error: ${r.compile.logs.join(' ')}`);
  else lines.push('Passed the local checks.');
  if (r.backtest?.kind === 'completed') lines.push(statisticsLine(r.backtest.statistics));
  if (r.backtest?.kind === 'runtimeError') lines.push(`Runtime error: ${r.backtest.error}`);
  return lines.join('\n');
}

/** An evolution run's outcome: why it ended, its best program, and the best in and out of sample with the verdict. */
export function renderEvolutionResult(r: EvolutionResult): string {
  const lines = [`${r.status}: ${r.reason} · generation ${r.generation} · backtests ${r.used.backtests} · tokens ${r.used.tokens.input + r.used.tokens.output}`];
  lines.push(r.best ? `best ${r.best.variantId} (${r.best.codeHash.slice(0, 12)}), fitness ${r.best.fitness.toFixed(4)}: ${statisticsLine(r.best.statistics)}` : 'no program was scored');
  // runs that ended before the out-of-sample check existed carry none
  if (r.overfitting) lines.push(...overfittingLines(r.overfitting));
  else if (r.best) lines.push('not judged out of sample: the run ended before QuantCoder held part of the period out');
  return lines.join('\n');
}

/** The best program's check as `evolve export --json` gives it, for a run judged out of sample (nothing otherwise). */
export function overfittingFields(o: OverfittingReport | null | undefined) {
  if (!o) return {};
  return { inSample: o.inSample, outOfSample: o.outOfSample, deflatedSharpe: o.deflatedSharpe, probabilisticSharpe: o.probabilisticSharpe, trials: o.trials, verdict: o.verdict };
}

/** Any other result: one `key: value` line per field, nested values on one line. */
function renderFields(result: unknown): string {
  if (result === null || typeof result !== 'object') return String(result);
  return Object.entries(result as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('\n');
}

/** A finished run's result as text, by workflow type: a table where there is one to show, never raw JSON. */
export function renderRunResult(type: string, result: unknown): string {
  switch (type) {
    case 'researchPipeline':
      return renderPipelineResult(result as PipelineResult);
    case 'searchPapers':
      return renderSearchResults(result as SearchOutput);
    case 'autonomous':
      return renderAutonomousResult(result as AutonomousResult);
    case 'libraryBuild':
      return renderLibraryResult(result as LibraryResult);
    case 'evolutionRun':
      return renderEvolutionResult(result as EvolutionResult);
    case 'validateStep':
    case 'backtestStep':
      return renderStepResult(result as ValidateOutput & { backtest?: BacktestResult | null });
    default:
      return renderFields(result);
  }
}
