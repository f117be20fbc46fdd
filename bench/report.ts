import type { CrashFigures } from './crash';
import type { Commit, Machine } from './env';
import type { EvolutionFigures } from './evolution-bound';
import type { HistoryFigures } from './history';
import type { OverheadFigures } from './overhead';
import type { ScaleFigures } from './scale';
import type { Summary } from './stats';
import type { TokenFigures } from './tokens';

/** What `bench/results/latest.json` holds. Figures measured over several runs are {@link Summary}s. */
export interface BenchReport {
  generatedAt: string;
  durationSeconds: number;
  machine: Machine;
  commit: Commit;
  parameters: Record<string, unknown>;
  overheadPerActivityMs?: Summary;
  directCallPerStepMs?: Summary;
  overhead?: Omit<OverheadFigures, 'overheadPerActivityMs' | 'directCallPerStepMs'>;
  evolution?: EvolutionFigures;
  crash?: CrashFigures;
  scale?: ScaleFigures;
  history?: HistoryFigures;
  tokens?: TokenFigures;
}

type Row = [figure: string, median: string, min: string, max: string, runs: string];

const fmt = (x: number, digits: number) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const summaryRow = (figure: string, s: Summary, digits: number): Row => [figure, fmt(s.median, digits), fmt(s.min, digits), fmt(s.max, digits), String(s.samples.length)];
const single = (figure: string, value: string, runs = '1'): Row => [figure, value, '', '', runs];

/** The figures as a Markdown table: the same text goes to the terminal and the README. */
export function table(r: BenchReport): string {
  const rows: Row[] = [];
  if (r.overheadPerActivityMs && r.directCallPerStepMs) {
    rows.push(summaryRow('1. Orchestration overhead per activity (ms)', r.overheadPerActivityMs, 1));
    rows.push(summaryRow('1. Same steps as direct calls, per step (ms)', r.directCallPerStepMs, 1));
  }
  if (r.evolution) {
    rows.push(summaryRow('2. Evolution wall / bound, concurrency 1', r.evolution.wallOverBound.c1, 2));
    rows.push(summaryRow('2. Evolution wall / bound, concurrency 4', r.evolution.wallOverBound.c4, 2));
    rows.push(summaryRow(`2. Speed-up of concurrency 4 over 1 (bound allows ${fmt(r.evolution.idealSpeedup, 2)})`, r.evolution.speedupC4overC1, 2));
  }
  if (r.crash) {
    const kills = String(r.crash.kills.length);
    rows.push(single(`3. Duplicated backtests after ${kills} SIGKILLs`, String(r.crash.duplicateBacktests)));
    rows.push(single('3. Repeated LLM calls', String(r.crash.repeatedLlmCalls)));
    rows.push([`3. Restart → next completed activity (s), per kill`, fmt(r.crash.resumeSeconds.median, 1), fmt(r.crash.resumeSeconds.min, 1), fmt(r.crash.resumeSeconds.max, 1), kills]);
  }
  if (r.scale) {
    rows.push(single(`4. Completed runs per second (${r.scale.completedRuns} at once)`, fmt(r.scale.runsPerSecond, 2)));
    rows.push(single('4. Worker peak RSS (MB)', String(r.scale.peakRssMb)));
    rows.push(single('4. Per-run latency p50 / p99 (ms)', `${r.scale.latencyMs.p50} / ${r.scale.latencyMs.p99}`));
  }
  if (r.history) {
    rows.push(single(`5. History events: largest / total (${r.history.executions - 1} generations)`, `${r.history.maxEvents} / ${r.history.totalEvents}`));
  }
  if (r.tokens) {
    rows.push(summaryRow('6. Tokens per accepted variant, targeted edits', r.tokens.perAcceptedVariant.edits, 0));
    rows.push(summaryRow('6. Tokens per accepted variant, full rewrites', r.tokens.perAcceptedVariant.rewrite, 0));
  }
  const header: Row = ['Figure', 'Median', 'Min', 'Max', 'Runs'];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(['---', '---:', '---:', '---:', '---:']), ...rows.map(line)].join('\n');
}
