import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../config/package-root';
import { CRASH_PARAMETERS, measureCrash } from './crash';
import { commit, machine } from './env';
import { speedProbe } from './speed';
import { EVOLUTION_PARAMETERS, measureEvolutionBound } from './evolution-bound';
import { HISTORY_PARAMETERS, measureHistory } from './history';
import { openLab, progress, type Lab } from './lab';
import { measureOverhead, OVERHEAD_PARAMETERS } from './overhead';
import { table, type BenchReport } from './report';
import { measureScale, SCALE_PARAMETERS } from './scale';
import { measureTokens, TOKENS_PARAMETERS } from './tokens';

/**
 * `npm run bench [-- --dirty]`: measures QuantCoder on a real Temporal dev server against the sandbox, prints
 * the figures as a table and writes them, with the machine, commit and every parameter, to
 * `bench/results/latest.json` (only from a clean tree, unless `--dirty`, which is recorded).
 * `--only overhead,tokens` runs some figures (written to a temp file). `node dist/bench/report.js --readme`
 * then regenerates the README's figures from the JSON.
 */
const FIGURES = {
  overhead: {
    parameters: OVERHEAD_PARAMETERS,
    run: async (lab: Lab, r: BenchReport) => {
      const { overheadPerActivityMs, directCallPerStepMs, overheadOverFloor, ...rest } = await measureOverhead(lab);
      Object.assign(r, { overheadPerActivityMs, directCallPerStepMs, overheadOverFloor, overhead: rest });
    },
  },
  evolution: { parameters: EVOLUTION_PARAMETERS, run: async (lab: Lab, r: BenchReport) => void (r.evolution = await measureEvolutionBound(lab)) },
  crash: { parameters: CRASH_PARAMETERS, run: async (lab: Lab, r: BenchReport) => void (r.crash = await measureCrash(lab)) },
  scale: { parameters: SCALE_PARAMETERS, run: async (lab: Lab, r: BenchReport) => void (r.scale = await measureScale(lab)) },
  history: { parameters: HISTORY_PARAMETERS, run: async (lab: Lab, r: BenchReport) => void (r.history = await measureHistory(lab)) },
  tokens: { parameters: TOKENS_PARAMETERS, run: async (lab: Lab, r: BenchReport) => void (r.tokens = await measureTokens(lab)) },
};
type FigureName = keyof typeof FIGURES;

function chosenFigures(argv: string[]): { names: FigureName[]; partial: boolean } {
  const i = argv.indexOf('--only');
  if (i < 0) return { names: Object.keys(FIGURES) as FigureName[], partial: false };
  const names = (argv[i + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !(n in FIGURES));
  if (!names.length || unknown.length) throw new Error(`--only takes a comma-separated list of: ${Object.keys(FIGURES).join(', ')}`);
  return { names: names as FigureName[], partial: true };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const { names, partial } = chosenFigures(argv);
  const dirtyAccepted = argv.includes('--dirty');
  const measured = commit();
  // latest.json describes a commit: figures from uncommitted changes describe no commit anyone can check out
  if (!partial && measured.dirty !== false && !dirtyAccepted) {
    process.stderr.write(
      `The working tree ${measured.dirty === null ? 'could not be checked' : `has uncommitted changes (${(measured.modified ?? []).slice(0, 5).join(', ')})`}; ` +
        'bench/results/latest.json must come from a commit. Commit first, or pass --dirty to measure anyway (recorded in the results).\n',
    );
    return 2;
  }
  const started = Date.now();
  const report: BenchReport = {
    generatedAt: new Date().toISOString(),
    durationSeconds: 0,
    machine: machine(),
    commit: measured,
    parameters: {
      common: {
        ...(dirtyAccepted ? { dirty: '--dirty: measured on a working tree that differs from the commit (see commit.modified)' } : {}),
        temporal: '`temporal server start-dev` (in memory) on this machine, started by the bench',
        sandbox: 'the QuantCoder sandbox, in the bench process; its latencies are set per figure',
        learningDatabase: 'a fresh QUANTCODER_HOME (SQLite learning database, artifacts, downloads) per run',
      },
      ...Object.fromEntries(names.map((n) => [n, FIGURES[n].parameters])),
    },
  };
  progress(`${names.join(', ')} on ${report.machine.cores} cores, ${report.machine.memoryGb} GB, Node ${report.machine.node}, commit ${report.commit.sha?.slice(0, 10) ?? 'unknown'}${report.commit.dirty ? ' (working tree modified)' : ''}`);
  const lab = await openLab();
  let failure: unknown;
  try {
    for (const name of names) {
      const t = Date.now();
      progress(`— ${name}`);
      await FIGURES[name].run(lab, report);
      progress(`— ${name} done in ${Math.round((Date.now() - t) / 1000)} s`);
    }
  } catch (err) {
    failure = err;
  } finally {
    await lab.close().catch((err: unknown) => progress(`closing the lab failed: ${(err as Error).message}`));
  }
  report.durationSeconds = Math.round((Date.now() - started) / 1000);
  if (report.machine.speed) report.machine.speed.end = speedProbe();

  const file = failure || partial ? path.join(os.tmpdir(), `quantcoder-bench-${Date.now()}.json`) : path.join(packageRoot(), 'bench', 'results', 'latest.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${table(report)}\n\n`);
  if (failure) {
    process.stderr.write(`The bench failed (a bug): ${(failure as Error).stack ?? String(failure)}\nFigures measured so far: ${file}\n`);
    return 1;
  }
  process.stdout.write(`Written to ${path.relative(process.cwd(), file) || file} in ${report.durationSeconds} s.\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
