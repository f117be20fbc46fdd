import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { until } from '../helpers/cli';
import { descendants, stopPostgres } from '../setup/global-setup';

const ROOT = path.resolve(__dirname, '..', '..');

/** Whether something accepts connections at host:port. */
function listening(address: string): Promise<boolean> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Whether process `pid` is still there. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A process's command line ('' once it is gone). */
function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The PostgreSQL directories test set-ups have made (and not removed) in the temp directory. */
function postgresDirs(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('qc-test-pg-')).map((name) => path.join(os.tmpdir(), name));
}

interface Started {
  temporal: string;
  postgres: string | null;
  postgresDir: string | null;
  /** a process the run started and one that process started */
  pids: number[];
}

/** A TypeScript script run by tsx in a process of its own, with its output so far and how it ended. */
function runScript(file: string, source: string) {
  fs.writeFileSync(file, source);
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output, exited };
}

describe('an interrupted test run', () => {
  let dir: string;
  let leftover: Started | undefined;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-interrupted-'));
  });
  afterAll(() => {
    // when the test fails, what the interrupted run left behind must not outlive this one too
    if (leftover?.postgresDir && fs.existsSync(leftover.postgresDir)) {
      spawnSync('bash', [path.join(ROOT, 'scripts', 'postgres-local.sh'), 'stop', path.join(leftover.postgresDir, 'pg')], { timeout: 60_000 });
      fs.rmSync(leftover.postgresDir, { recursive: true, force: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops the dev server, PostgreSQL and the processes the run started when it gets SIGTERM, and exits 143', async () => {
    // the real global setup, in a process of its own that then waits as jest does while tests run
    const { child, output, exited } = runScript(
      path.join(dir, 'run.ts'),
      `import { spawn } from 'node:child_process';
import globalSetup from ${JSON.stringify(path.join(ROOT, 'test', 'setup', 'global-setup'))};
globalSetup().then(() => {
  const postgresDir = (globalThis as { __postgresDir?: string }).__postgresDir ?? null;
  // a stand-in for a test process, with a process of its own below it
  const testProcess = spawn('sh', ['-c', 'sleep 600 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
  testProcess.stdout!.once('data', (grandchild: Buffer) => {
    const pids = [testProcess.pid, Number(grandchild.toString().trim())];
    process.stdout.write(JSON.stringify({ temporal: process.env.QC_TEST_TEMPORAL_ADDRESS, postgres: process.env.QC_TEST_POSTGRES_URL ?? null, postgresDir, pids }) + '\\n');
  });
  setInterval(() => undefined, 1000);
});
`,
    );
    const started = await new Promise<Started>((resolve, reject) => {
      child.stdout.on('data', () => {
        const line = output.stdout.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as Started);
      });
      void exited.then(({ code }) => reject(new Error(`the global setup exited (${code}) before it was ready:\n${output.stderr}`)));
    });
    leftover = started;
    expect(await listening(started.temporal)).toBe(true);
    const postgresAddress = started.postgres ? new URL(started.postgres).host : null;
    if (postgresAddress) expect(await listening(postgresAddress)).toBe(true);

    child.kill('SIGTERM');
    // tsx passes the signal on and exits as its child did
    expect(await exited).toEqual({ code: 143, signal: null });
    // a killed process's sockets close as it dies: allow it a few seconds
    await until(async () => !(await listening(started.temporal)), 5000, 'the dev server to stop listening');
    for (const pid of started.pids) await until(() => !alive(pid), 5000, `process ${pid} to end`);
    if (postgresAddress) {
      await until(async () => !(await listening(postgresAddress)), 5000, 'PostgreSQL to stop listening');
      expect(fs.existsSync(started.postgresDir!)).toBe(false);
    } else {
      // PostgreSQL is not installed here (CI installs it and fails without it): only the dev server was started
      expect(process.env.QC_TEST_POSTGRES_SKIP).toBeDefined();
    }
  }, 120_000);

  it('stops what it has started when SIGTERM comes while the servers are still starting', async () => {
    const before = new Set(postgresDirs());
    const { child, output, exited } = runScript(
      path.join(dir, 'setup-only.ts'),
      `import globalSetup from ${JSON.stringify(path.join(ROOT, 'test', 'setup', 'global-setup'))};
void globalSetup().then(() => process.stdout.write('ready\\n'));
setInterval(() => undefined, 1000);
`,
    );
    // the signal comes as soon as the dev server's process exists, a second or more before it answers
    let server: number | undefined;
    await until(() => (server = descendants(child.pid!).find((pid) => commandLine(pid).includes('start-dev'))) !== undefined, 60_000, 'the dev server to be started');
    const postgres = postgresDirs().filter((d) => !before.has(d));
    leftover = { temporal: '', postgres: null, postgresDir: postgres[0] ?? null, pids: [server!] };
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 143, signal: null });
    expect(output.stdout).not.toContain('ready');
    await until(() => !alive(server!), 5000, 'the dev server to end');
    // PostgreSQL, whether it had started yet or not: no server of the run's is left, nor its directory
    for (const d of postgres) {
      await until(() => !spawnSync('pgrep', ['-f', d]).stdout?.toString().trim(), 5000, `the PostgreSQL processes of ${d} to end`);
      expect(fs.existsSync(d)).toBe(false);
    }
  }, 120_000);

  it('stops PostgreSQL and the dev server when the run ends without its global teardown (a crash, or `npm test | head`)', async () => {
    // jest's own process dies on an error it does not catch (writing to a pipe `head` has closed is one)
    const { output, exited } = runScript(
      path.join(dir, 'crash.ts'),
      `import globalSetup from ${JSON.stringify(path.join(ROOT, 'test', 'setup', 'global-setup'))};
void globalSetup().then(() => {
  const postgresDir = (globalThis as { __postgresDir?: string }).__postgresDir ?? null;
  process.stdout.write(JSON.stringify({ temporal: process.env.QC_TEST_TEMPORAL_ADDRESS, postgres: process.env.QC_TEST_POSTGRES_URL ?? null, postgresDir, pids: [] }) + '\\n');
  setTimeout(() => {
    throw new Error('the run crashed');
  }, 50);
});
setInterval(() => undefined, 1000);
`,
    );
    expect(await exited).toEqual({ code: 1, signal: null });
    expect(output.stderr).toContain('the run crashed');
    const started = JSON.parse(output.stdout.split('\n').find((l) => l.startsWith('{'))!) as Started;
    leftover = started;
    await until(async () => !(await listening(started.temporal)), 5000, 'the dev server to stop listening');
    if (started.postgres) {
      await until(async () => !(await listening(new URL(started.postgres!).host)), 5000, 'PostgreSQL to stop listening');
      expect(fs.existsSync(started.postgresDir!)).toBe(false);
    } else {
      expect(process.env.QC_TEST_POSTGRES_SKIP).toBeDefined();
    }
  }, 120_000);

  it('leaves no PostgreSQL directory when a process of its start outlives the interrupt', async () => {
    // An interrupt kills the processes there are when it comes; one forked just after (the start
    // script's next step) goes on. initdb, for one, makes its data directory's whole path, so it can
    // write the run's directory back after the stop removed it. A stand-in that does the same a
    // moment after it starts, named by its command line as initdb is:
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-test-pg-'));
    leftover = { temporal: '', postgres: null, postgresDir: d, pids: [] };
    const late = spawn('sh', ['-c', 'sleep 1; mkdir -p "$1/pg/data"', 'initdb-stand-in', d], { stdio: 'ignore' });
    const ended = new Promise((resolve) => late.once('exit', resolve));
    (globalThis as { __postgresDir?: string }).__postgresDir = d;
    stopPostgres();
    await ended;
    expect(fs.existsSync(d)).toBe(false);
  }, 120_000);
});
