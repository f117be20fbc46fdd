import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { packageRoot } from '../config/package-root';
import { resolveTemporalExecutable } from '../worker/temporal-server';
import { speedProbe, type SpeedProbe } from './speed';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
  arch: string;
  temporalCli: string | null;
  /** 1, 5 and 15 minute load averages when the bench started: other work on the machine skews absolute times. */
  loadAverage: number[];
  /**
   * The speed probe at the start and the end of the run. A virtual machine's neighbours do not show in
   * its load average, yet can make every CPU-bound step slower: the probe shows some of that (see
   * bench/speed.ts for what it misses).
   */
  speed?: { start: SpeedProbe; end?: SpeedProbe };
}

export interface Commit {
  sha: string | null;
  /** Files changed since the commit when the bench ran (the figures measure the working tree). */
  dirty: boolean | null;
  /** The tracked files that differed from the commit, when dirty. */
  modified?: string[];
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string | null {
  try {
    return execFileSync(cmd, args, { cwd: packageRoot(), env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

export function machine(): Machine {
  const cpus = os.cpus();
  const temporal = resolveTemporalExecutable();
  const version = temporal.path ? run(temporal.path, ['--version']) : null;
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    temporalCli: version ?? temporal.source,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    speed: { start: speedProbe() },
  };
}

export function commit(): Commit {
  const sha = run('git', ['rev-parse', 'HEAD']);
  // GIT_OPTIONAL_LOCKS=0: `git status` must not refresh (write) the index while others work in it
  const status = sha ? run('git', ['status', '--porcelain', '--untracked-files=no'], { ...process.env, GIT_OPTIONAL_LOCKS: '0' }) : null;
  const modified = status ? status.split('\n').map((line) => line.trim().replace(/^\S+\s+/, '')) : [];
  return { sha, dirty: status === null ? null : status.length > 0, ...(modified.length ? { modified } : {}) };
}
