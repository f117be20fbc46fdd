import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileCacheRoot } from '../cli/compile-cache';
import { packageRoot } from '../config/package-root';
import { commit, machine, type Commit, type Machine } from './env';
import { speedProbe, speedText } from './speed';
import { round } from './stats';

/**
 * `npm run bench:tests`: runs `npm test` (build included, exactly as a developer runs it) and
 * measures where its time and CPU go, so the test suite's speed is judged on figures: its wall time,
 * the CPU every kind of process under it used (the test runner, `quantcoder` commands, worker
 * processes, the Temporal dev server, PostgreSQL, Python, the browser, the build), and its slowest
 * files. Linux only: the processes are read from /proc every 200 ms; what a process too short to be
 * seen used is still counted, as "not sampled" (the suite's total comes from the kernel's own
 * account of every process the run waited for).
 * Writes `bench/results/test-suite.json`.
 */

export type ProcessKind =
  | 'test runner (jest)'
  | 'quantcoder worker processes'
  | 'quantcoder commands'
  | 'Temporal dev server'
  | 'PostgreSQL'
  | 'Python'
  | 'Chromium'
  | 'build (tsc, bundle, manifest)'
  | 'other';

export interface TestSuiteFigures {
  generatedAt: string;
  machine: Machine;
  commit: Commit;
  passed: boolean;
  wallSeconds: number;
  /** From `npm test`'s start to the test runner's first file: the build and the global set-up. */
  beforeFirstFileSeconds: number | null;
  cpuSeconds: { total: number; byKind: Record<string, { seconds: number; processes: number; share: number }>; notSampled: number };
  /** CPU seconds over wall seconds: 2 on a 2-core machine means the suite kept every core busy. */
  coresBusy: number;
  slowestFiles: Array<{ file: string; seconds: number; tests: number }>;
  /** The programs behind the "other" kind, by CPU (program and first argument, without directories). */
  otherPrograms?: Array<{ program: string; seconds: number; processes: number }>;
  /** The `quantcoder` commands the tests ran, by CPU (the command, as `runs list`; `?` for none known). */
  commands?: Array<{ program: string; seconds: number; processes: number }>;
  /** Every file's wall seconds in this run, by path from the project root: the test sequencer (test/setup/sequencer.js) starts the longest first. */
  fileSeconds: Record<string, number>;
}

/** What kind of process a command line is (argv joined with spaces). */
export function processKind(cmd: string): ProcessKind {
  if (/\btemporal(\.exe)? server start-dev\b/.test(cmd)) return 'Temporal dev server';
  if (/\bpostgres\b|\bpg_ctl\b|\binitdb\b/.test(cmd)) return 'PostgreSQL';
  if (/\bchrom(e|ium)\b/.test(cmd)) return 'Chromium';
  if (/\bpython[\d.]*\b|pyenv/.test(cmd)) return 'Python';
  if (/\bbin\/run\.js worker\b/.test(cmd)) return 'quantcoder worker processes';
  if (/\bbin\/run\.js\b/.test(cmd)) return 'quantcoder commands';
  if (/\bjest\b|jest-worker/.test(cmd)) return 'test runner (jest)';
  if (/\btsc\b|worker\/bundle\.js|\boclif manifest\b|scripts\/build\.sh|\bnpm\b/.test(cmd)) return 'build (tsc, bundle, manifest)';
  return 'other';
}

interface ProcStat {
  ppid: number;
  cpuSeconds: number;
  /** CPU of the children this process waited for (the kernel's running account). */
  childrenCpuSeconds: number;
}

const TICKS = 100; // USER_HZ: 100 on every Linux ABI in use

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat {
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), cpuSeconds: (Number(f[11]) + Number(f[12])) / TICKS, childrenCpuSeconds: (Number(f[13]) + Number(f[14])) / TICKS };
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A command line's program and first argument, without directories (no machine's paths in the figures). */
export function programOf(cmd: string): string {
  return cmd
    .split(' ')
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => (w.includes('/') ? path.basename(w) : w))
    .join(' ');
}

/**
 * The `quantcoder` command a command line runs: the longest of `ids` (oclif's, `runs:list`) its words
 * after `bin/run.js` begin with, spelled as typed (`runs list`); `?` when none.
 */
export function commandOf(cmd: string, ids: readonly string[]): string {
  const words = cmd.split(' ').filter(Boolean);
  const at = words.findIndex((w) => /(^|\/)bin\/run\.js$/.test(w));
  if (at < 0) return '?';
  const args = words.slice(at + 1);
  let best: string[] = [];
  for (const id of ids) {
    const parts = id.split(':');
    if (parts.length > best.length && parts.every((p, i) => args[i] === p)) best = parts;
  }
  return best.length > 0 ? best.join(' ') : '?';
}

function commandIds(root: string): string[] {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
    return Object.keys(manifest.commands);
  } catch {
    return [];
  }
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Follows every descendant of `root` until it exits, keeping each one's last CPU reading and kind. */
class ProcessTreeSampler {
  private readonly seen = new Map<number, { kind: ProcessKind; cpu: number; program: string }>();
  private readonly tree = new Set<number>();
  constructor(
    root: number,
    private readonly ids: readonly string[],
  ) {
    this.tree.add(root);
  }

  sample(): void {
    for (const name of fs.readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid)) continue;
      const stat = readStat(pid);
      if (!stat) continue;
      if (!this.tree.has(pid)) {
        if (!this.tree.has(stat.ppid)) continue;
        this.tree.add(pid);
      }
      const known = this.seen.get(pid);
      if (known) known.cpu = Math.max(known.cpu, stat.cpuSeconds);
      else {
        const cmd = commandLine(pid);
        const kind = processKind(cmd);
        this.seen.set(pid, { kind, cpu: stat.cpuSeconds, program: kind === 'quantcoder commands' ? commandOf(cmd, this.ids) : programOf(cmd) });
      }
    }
  }

  /** The programs of one kind, by CPU (what the "other" kind is made of; the commands of `quantcoder commands`). */
  programs(kind: ProcessKind): Array<{ program: string; seconds: number; processes: number }> {
    const out = new Map<string, { program: string; seconds: number; processes: number }>();
    for (const p of this.seen.values()) {
      if (p.kind !== kind) continue;
      const e = out.get(p.program) ?? { program: p.program, seconds: 0, processes: 0 };
      e.seconds += p.cpu;
      e.processes += 1;
      out.set(p.program, e);
    }
    return [...out.values()].sort((a, b) => b.seconds - a.seconds);
  }

  byKind(): Map<ProcessKind, { seconds: number; processes: number }> {
    const out = new Map<ProcessKind, { seconds: number; processes: number }>();
    for (const { kind, cpu } of this.seen.values()) {
      const k = out.get(kind) ?? { seconds: 0, processes: 0 };
      k.seconds += cpu;
      k.processes += 1;
      out.set(kind, k);
    }
    return out;
  }
}

async function main(): Promise<number> {
  if (process.platform !== 'linux') {
    process.stderr.write('bench:tests reads /proc to follow the test processes: it runs on Linux only.\n');
    return 2;
  }
  const root = packageRoot();
  const jsonFile = path.join(os.tmpdir(), `quantcoder-test-suite-${process.pid}.json`);
  // as on a fresh clone: the commands start without compiled code cached (cli/compile-cache.ts), and
  // jest without a cache of its own (no transformed files, no file times but the recorded ones)
  fs.rmSync(compileCacheRoot(root), { recursive: true, force: true });
  const jestCache = fs.mkdtempSync(path.join(os.tmpdir(), 'quantcoder-jest-cache-'));
  // the machine as the run starts (with its speed probe), the probe again as it ends
  const host = machine();
  const before = readStat(process.pid)!;
  const started = Date.now();
  // arguments after `--` go to jest (test files, -t): such a partial run is printed, not recorded
  const jestArgs = process.argv.slice(2);
  const child = spawn('npm', ['test', '--', '--json', `--outputFile=${jsonFile}`, `--cacheDirectory=${jestCache}`, ...jestArgs], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const sampler = new ProcessTreeSampler(child.pid!, commandIds(root));
  const timer = setInterval(() => sampler.sample(), 200);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(timer);
  const wallSeconds = (Date.now() - started) / 1000;
  if (host.speed) host.speed.end = speedProbe();
  // every process of the run has been waited for by now: the kernel's account is the whole run's CPU
  const total = readStat(process.pid)!.childrenCpuSeconds - before.childrenCpuSeconds;

  const results = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as {
    startTime: number;
    testResults: Array<{ name: string; startTime: number; endTime: number; assertionResults: unknown[] }>;
  };
  fs.rmSync(jsonFile, { force: true });
  fs.rmSync(jestCache, { recursive: true, force: true });
  const firstFile = Math.min(...results.testResults.map((f) => f.startTime));
  const kinds = sampler.byKind();
  const sampled = [...kinds.values()].reduce((s, k) => s + k.seconds, 0);
  const byKind: TestSuiteFigures['cpuSeconds']['byKind'] = {};
  for (const [kind, k] of [...kinds].sort((a, b) => b[1].seconds - a[1].seconds)) {
    byKind[kind] = { seconds: round(k.seconds, 1), processes: k.processes, share: round(k.seconds / total, 3) };
  }
  const files = results.testResults
    .map((f) => ({ file: path.relative(root, f.name).split(path.sep).join('/'), seconds: round((f.endTime - f.startTime) / 1000, 1), tests: f.assertionResults.length }))
    .sort((a, b) => b.seconds - a.seconds || a.file.localeCompare(b.file));
  const figures: TestSuiteFigures = {
    generatedAt: new Date().toISOString(),
    machine: host,
    commit: commit(),
    passed: code === 0,
    wallSeconds: round(wallSeconds, 1),
    beforeFirstFileSeconds: Number.isFinite(firstFile) ? round((firstFile - started) / 1000, 1) : null,
    cpuSeconds: { total: round(total, 1), byKind, notSampled: round(Math.max(0, total - sampled), 1) },
    coresBusy: round(total / wallSeconds, 2),
    slowestFiles: files.slice(0, 12),
    otherPrograms: sampler.programs('other').slice(0, 8).map((p) => ({ ...p, seconds: round(p.seconds, 1) })),
    commands: sampler.programs('quantcoder commands').slice(0, 12).map((p) => ({ ...p, seconds: round(p.seconds, 1) })),
    fileSeconds: Object.fromEntries(files.map((f) => [f.file, f.seconds])),
  };
  const out = path.join(root, 'bench', 'results', 'test-suite.json');
  if (jestArgs.length === 0) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(figures, null, 2) + '\n');
  }

  const lines = [
    `npm test: ${figures.wallSeconds} s wall (${figures.beforeFirstFileSeconds ?? '?'} s before the first test file), ${figures.passed ? 'passed' : 'FAILED'}`,
    `CPU: ${figures.cpuSeconds.total} s in all, ${figures.coresBusy} cores busy on average (${figures.machine.cores} cores)`,
    `speed probe: ${speedText(figures.machine)}`,
    '',
    '| process kind | CPU s | share | processes |',
    '|---|---:|---:|---:|',
    ...Object.entries(byKind).map(([kind, k]) => `| ${kind} | ${k.seconds} | ${(k.share * 100).toFixed(0)} % | ${k.processes} |`),
    `| not sampled (processes shorter than a sample) | ${figures.cpuSeconds.notSampled} | ${((figures.cpuSeconds.notSampled / total) * 100).toFixed(0)} % | |`,
    `other: ${(figures.otherPrograms ?? []).map((p) => `${p.program} ${p.seconds} s (${p.processes})`).join(', ') || 'none'}`,
    `quantcoder commands: ${(figures.commands ?? []).map((p) => `${p.program} ${p.seconds} s (${p.processes})`).join(', ') || 'none'}`,
    '',
    'slowest files:',
    ...figures.slowestFiles.map((f) => `  ${f.seconds.toFixed(1).padStart(6)} s  ${f.file} (${f.tests} tests)`),
    '',
    jestArgs.length === 0 ? `written to ${path.relative(process.cwd(), out) || out}` : `a partial run (jest ${jestArgs.join(' ')}): not recorded`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return code ?? 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`bench:tests failed: ${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
