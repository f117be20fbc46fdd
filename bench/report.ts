import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../config/package-root';
import type { CrashFigures } from './crash';
import type { Commit, Machine } from './env';
import { speedText } from './speed';
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
  /** Ours over Temporal's floor measured in the same run (see `overhead.floorPerActivityMs`). */
  overheadOverFloor?: Summary;
  overhead?: Omit<OverheadFigures, 'overheadPerActivityMs' | 'directCallPerStepMs' | 'overheadOverFloor'>;
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
    rows.push(summaryRow('1. Orchestration overhead per step: activity or local activity (ms)', r.overheadPerActivityMs, 1));
    rows.push(summaryRow('1. Same steps as direct calls, per step (ms)', r.directCallPerStepMs, 1));
  }
  if (r.overhead?.floorPerActivityMs && r.overheadOverFloor) {
    rows.push(summaryRow("1. Temporal's floor: no-op activities in sequence, per activity (ms)", r.overhead.floorPerActivityMs, 1));
    rows.push(summaryRow("1. Temporal's floor with a child workflow per article, per activity (ms)", r.overhead.floorWithChildPerActivityMs, 1));
    rows.push(summaryRow('1. Overhead over the floor (ours / floor)', r.overheadOverFloor, 2));
    rows.push(summaryRow('1. Overhead over the floor with a child (ours / floor)', r.overhead.overheadOverChildFloor, 2));
    if (r.overhead.floorSameStepsPerActivityMs && r.overhead.overheadOverSameStepsFloor) {
      rows.push(summaryRow("1. Temporal's floor for the run's own steps (same kinds, same order, parent and child), per step (ms)", r.overhead.floorSameStepsPerActivityMs, 1));
      rows.push(summaryRow('1. Overhead over the floor of the same steps (ours / floor)', r.overhead.overheadOverSameStepsFloor, 2));
    }
  }
  const tasks = r.overhead?.workflowTasksPerRun;
  const floorTasks = r.overhead?.floorWithChildWorkflowTasksPerRun;
  if (tasks?.length && floorTasks?.length) {
    // the same in every run unless a retry intervened: the median run's counts, with the floor's beside them
    const mid = <T>(xs: T[]) => xs[Math.floor(xs.length / 2)]!;
    const ours = mid(tasks);
    const floor = mid(floorTasks);
    const steps = r.overhead?.activitiesPerRun;
    const locals = r.overhead?.localActivitiesPerRun;
    if (steps?.length && locals?.length) {
      rows.push(single('1. Steps per run: activities + local activities (the floors: as many activities)', `${mid(steps) - mid(locals)} + ${mid(locals)}`, String(steps.length)));
    }
    rows.push(
      single(
        '1. Workflow tasks per run, pipeline + article (floor with a child: parent + child)',
        `${ours.parent} + ${ours.child} (${floor.parent} + ${floor.child})`,
        String(tasks.length),
      ),
    );
  }
  if (r.evolution) {
    rows.push(summaryRow('2. Evolution wall / bound, concurrency 1', r.evolution.wallOverBound.c1, 2));
    rows.push(summaryRow('2. Evolution wall / bound, concurrency 4', r.evolution.wallOverBound.c4, 2));
    rows.push(summaryRow(`2. Speed-up of concurrency 4 over 1 (nominal bound, every variant backtested: ${fmt(r.evolution.idealSpeedup, 2)})`, r.evolution.speedupC4overC1, 2));
    if (r.evolution.boundSpeedupC4overC1) {
      const paired = r.evolution.runs.some((run) => run.seed !== undefined);
      rows.push(summaryRow(`2. Speed-up the same runs' bounds allow (${paired ? 'same seeds: the same backtests at both concurrencies' : 'their backtests'})`, r.evolution.boundSpeedupC4overC1, 2));
    }
  }
  if (r.crash) {
    const kills = String(r.crash.kills.length);
    rows.push(single(`3. Duplicated backtests after ${kills} SIGKILLs`, String(r.crash.duplicateBacktests)));
    rows.push(single('3. Repeated LLM calls (in flight at a kill, lost with the worker)', String(r.crash.repeatedLlmCalls)));
    if (r.crash.repeatedCompletedLlmCalls !== undefined) {
      rows.push(single('3. LLM calls answered and recorded, yet paid again', String(r.crash.repeatedCompletedLlmCalls)));
    }
    rows.push([`3. Restart → next completed activity (s), per kill`, fmt(r.crash.resumeSeconds.median, 1), fmt(r.crash.resumeSeconds.min, 1), fmt(r.crash.resumeSeconds.max, 1), kills]);
    rows.push(summaryRow('3. Worker start: new process → polling (s)', r.crash.workerStartSeconds, 1));
  }
  if (r.scale) {
    rows.push(single(`4. Completed runs per second (${r.scale.completedRuns} at once)`, fmt(r.scale.runsPerSecond, 2)));
    rows.push(single('4. Worker peak RSS (MB)', String(r.scale.peakRssMb)));
    const m = r.scale.memoryAtPeak;
    if (m) {
      rows.push(single('4. At the peak: main heap / workflow heap / external / mapped files / native (MB)', `${m.mainHeapMb} / ${m.workflowHeapMb} / ${m.externalMb} / ${m.fileMappedMb} / ${m.nativeMb}`));
    }
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

export const README_START = '<!-- bench:start (generated by `node dist/bench/report.js --readme` from bench/results/latest.json) -->';
export const README_END = '<!-- bench:end -->';

/** The README's Performance figures: where and on what they were measured, and the table. */
export function readmeSection(r: BenchReport): string {
  const m = r.machine;
  const load = m.loadAverage.length ? `load average ${m.loadAverage.map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min) at the start` : 'load unknown';
  const speed = m.speed ? `; speed probe (\`bench/speed.ts\`): ${speedText(m)}` : '';
  const tree = r.commit.dirty === null ? 'tree state unknown' : r.commit.dirty ? 'working tree modified' : 'clean tree';
  return [
    `Latest run (${r.generatedAt.slice(0, 10)}, ${Math.round(r.durationSeconds / 60)} min): ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, Node ${m.node}, ` +
      `${m.temporalCli ?? 'Temporal CLI unknown'}, commit \`${r.commit.sha?.slice(0, 7) ?? 'unknown'}\` (${tree}), ${load}${speed}.`,
    '',
    'Absolute times, throughput and memory depend on the machine and on what else runs on it; the ratios ' +
      '(overhead over the floor, wall over bound, speed-up) and the counts (duplicates, repeated calls, history events, tokens) ' +
      "depend on it much less. On a virtual machine the neighbours' work does not show in the load average. The speed probe " +
      '(a fixed compute workload and a random walk through memory, timed at the start and the end of every run) shows some of it, ' +
      'not all: compare it before comparing two runs, and to compare two commits, measure both in the same hour.',
    '',
    table(r),
  ].join('\n');
}

/** Replaces the text between the README's bench markers with {@link readmeSection}. */
export function updateReadme(readme: string, r: BenchReport): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no bench markers (${README_START} … ${README_END})`);
  return `${readme.slice(0, start + README_START.length)}\n${readmeSection(r)}\n${readme.slice(end)}`;
}

/** `node dist/bench/report.js [--readme] [results.json]`: prints the table, or rewrites the README's figures. */
function main(argv: string[]): void {
  const file = argv.find((a) => !a.startsWith('--')) ?? path.join(packageRoot(), 'bench', 'results', 'latest.json');
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchReport;
  if (!argv.includes('--readme')) {
    process.stdout.write(`${table(report)}\n`);
    return;
  }
  const readmePath = path.join(packageRoot(), 'README.md');
  fs.writeFileSync(readmePath, updateReadme(fs.readFileSync(readmePath, 'utf8'), report));
  process.stdout.write(`README.md: Performance figures regenerated from ${path.relative(process.cwd(), file) || file}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
