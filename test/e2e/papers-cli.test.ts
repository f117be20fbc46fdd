import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { CATALOGUE } from '../../sandbox/corpus/catalogue';
import { BIN, ROOT, runCli, startCli, tempHome, waitForExit, type CliResult } from '../helpers/cli';
import { sandboxStats, testSandbox, type SandboxHandle } from '../helpers/sandbox';
import { testAddress, uniqueTaskQueue } from '../helpers/temporal';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** A run's workflow histories (the run and every child it started), as the bytes the server stores. */
async function historyBytes(runId: string): Promise<Buffer> {
  const connection = await Connection.connect({ address: testAddress() });
  try {
    const client = new Client({ connection });
    const chunks: Buffer[] = [];
    const pending = [runId];
    while (pending.length) {
      const history = await client.workflow.getHandle(pending.pop()!).fetchHistory();
      chunks.push(Buffer.from(temporal.api.history.v1.History.encode(history).finish()));
      for (const e of history.events ?? []) {
        const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
        if (child) pending.push(child);
      }
    }
    return Buffer.concat(chunks);
  } finally {
    await connection.close();
  }
}

const SCAN = path.join(__dirname, '..', 'fixtures', 'papers', 'scanned-image-only.pdf');

/** Runs the CLI with `input` piped to its standard input, as a script would. */
function runCliWithInput(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

function titleOf(doi: string): string {
  const work = CATALOGUE.find((w) => w.doi === doi);
  if (!work) throw new Error(`no catalogue work ${doi}`);
  return work.title;
}

interface RunJson {
  runId: string;
  articles: Array<{ title: string; doi: string | null; compiled: boolean; error: string | null; errorType: string | null; statistics: Record<string, unknown> | null; algorithmPath: string | null }>;
  skipped: unknown[];
}

describe('papers from a file or a link, through the real CLI in the sandbox', () => {
  let sandbox: SandboxHandle;
  let worker: ChildProcess;
  let home: string;
  let env: NodeJS.ProcessEnv;
  /** A publisher's PDF the user saved under a name of their own. */
  let savedPdf: string;

  beforeAll(async () => {
    sandbox = await testSandbox();
    home = tempHome({ sandbox: { url: sandbox.url }, quantconnect: { pollSeconds: 0.1 } });
    env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: uniqueTaskQueue('papers'), QUANTCODER_PROFILE: 'sandbox' };
    const res = await fetch(`${sandbox.url}/papers/time-series-momentum-etfs.pdf`);
    expect(res.status).toBe(200);
    fs.mkdirSync(path.join(home, 'my papers'));
    savedPdf = path.join(home, 'my papers', 'saved from the journal.pdf');
    fs.writeFileSync(savedPdf, Buffer.from(await res.arrayBuffer()));
    worker = (await startCli(['worker'], env, /Worker polling/)).child;
  });
  afterAll(async () => {
    worker.kill('SIGTERM');
    await waitForExit(worker);
    await sandbox.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const backtested = (out: RunJson, title: string) => {
    expect(out.skipped).toEqual([]);
    const a = out.articles[0]!;
    expect(a.error).toBeNull();
    expect(a.title).toBe(title);
    expect(a.compiled).toBe(true);
    expect(a.statistics).toEqual(expect.objectContaining({ sharpeRatio: expect.any(Number) }));
    expect(fs.existsSync(a.algorithmPath!)).toBe(true);
  };

  it('`run FILE.pdf --backtest --json` turns a local PDF into a backtested algorithm titled as the paper, with the JSON of a DOI run', async () => {
    const doiRun = JSON.parse((await runCli(['run', '10.5555/jstr.2021.0142', '--local-only', '--json'], env, 120_000)).stdout) as RunJson;
    const res = await runCli(['run', savedPdf, '--backtest', '--json'], env, 120_000);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as RunJson;
    backtested(out, titleOf('10.5555/jstr.2021.0142'));
    expect(out.articles[0]!.doi).toBe('10.5555/jstr.2021.0142');
    expect(Object.keys(out).sort()).toEqual(Object.keys(doiRun).sort());
    expect(Object.keys(out.articles[0]!).sort()).toEqual(Object.keys(doiRun.articles[0]!).sort());
    // the user's file is only read; the copy QuantCoder works on lives in its downloads directory
    expect(fs.readdirSync(path.join(home, 'my papers'))).toEqual(['saved from the journal.pdf']);
    expect(fs.readdirSync(path.join(home, 'downloads')).some((f) => /^file-[0-9a-f]{16}\.pdf$/.test(f))).toBe(true);
    // the workflows got the copy's key in the artifact store: no path of the user's file, nor of its folder, is in their histories
    const history = await historyBytes(out.runId);
    expect(history.length).toBeGreaterThan(1000);
    expect(history.includes('saved from the journal')).toBe(true); // its name, the title of last resort
    expect(history.includes(savedPdf)).toBe(false);
    expect(history.includes(path.join(home, 'my papers'))).toBe(false);
    expect(history.includes(path.join(home, 'downloads'))).toBe(false);
  }, 240_000);

  it('`run` with a direct PDF link downloads it and backtests the algorithm', async () => {
    const res = await runCli(['run', `${sandbox.url}/papers/dual-moving-average-trend.pdf`, '--backtest', '--json'], env, 120_000);
    expect(res.code).toBe(0);
    backtested(JSON.parse(res.stdout) as RunJson, titleOf('10.5555/jstr.2018.0093'));
  }, 120_000);

  it('`run` with a landing-page link follows its citation_pdf_url to the PDF and backtests the algorithm', async () => {
    const before = (await sandboxStats(sandbox.url)).requests;
    const res = await runCli(['run', `${sandbox.url}/papers/landing/volatility-managed-equity`, '--backtest', '--json'], env, 120_000);
    expect(res.code).toBe(0);
    backtested(JSON.parse(res.stdout) as RunJson, titleOf('10.5555/jpe.2022.0219'));
    const after = (await sandboxStats(sandbox.url)).requests;
    const delta = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
    expect(delta('papers.landing')).toBe(1);
    expect(delta('papers.pdf')).toBe(1);
  }, 120_000);

  it('`run DOI --pdf FILE` reads a closed-access paper from the user’s copy, with CrossRef’s metadata', async () => {
    const doi = '10.5555/mms.2017.0128';
    const without = await runCli(['run', doi, '--local-only', '--json'], env, 120_000);
    expect((JSON.parse(without.stdout) as RunJson).skipped).toHaveLength(1);

    const res = await runCli(['run', doi, '--pdf', savedPdf, '--backtest', '--json'], env, 120_000);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as RunJson;
    backtested(out, titleOf(doi));
    expect(out.articles[0]!.doi).toBe(doi);
  }, 240_000);

  it('`summarize FILE.pdf --json` has the JSON of `summarize DOI`, and the paper is the one in the file', async () => {
    const byDoi = JSON.parse((await runCli(['summarize', '10.5555/jstr.2021.0142', '--json'], env, 120_000)).stdout) as Record<string, unknown>;
    const res = await runCli(['summarize', savedPdf, '--json'], env, 120_000);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { paper: { title: string; authors: string[] }; spec: Record<string, unknown>; sections: string[] };
    expect(Object.keys(out).sort()).toEqual(Object.keys(byDoi).sort());
    expect(Object.keys(out.spec).sort()).toEqual(Object.keys(byDoi.spec as object).sort());
    expect(out.paper.title).toBe(titleOf('10.5555/jstr.2021.0142'));
    expect(out.sections.length).toBeGreaterThan(2);
  }, 240_000);

  it('a scanned, image-only PDF is refused with the OCR hint before any LLM call', async () => {
    const before = (await sandboxStats(sandbox.url)).llm.calls;
    const summarize = await runCli(['summarize', SCAN], env, 120_000);
    expect(summarize.code).not.toBe(0);
    expect(summarize.stdout + summarize.stderr).toMatch(/no text layer/);
    expect(summarize.stdout + summarize.stderr).toMatch(/ocrmypdf/);

    const run = await runCli(['run', SCAN, '--local-only', '--json'], env, 120_000);
    const a = (JSON.parse(run.stdout) as RunJson).articles[0]!;
    expect(a.errorType).toBe('NoTextLayerError');
    expect(a.error).toMatch(/ocrmypdf/);
    expect((await sandboxStats(sandbox.url)).llm.calls).toBe(before);
  }, 240_000);

  it('a missing file and --pdf without a DOI are told apart from topics before anything starts', async () => {
    const missing = await runCli(['run', './no-such-paper.pdf'], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stdout + missing.stderr).toMatch(/no-such-paper\.pdf does not exist/);
    const noDoi = await runCli(['run', 'momentum', '--pdf', savedPdf], env);
    expect(noDoi.code).not.toBe(0);
    expect(noDoi.stdout + noDoi.stderr).toMatch(/--pdf goes with a DOI/);

    // the copy goes into the artifact store, which must lie inside the home: a symlink out of it is refused
    const elsewhere = fs.mkdtempSync(path.join(path.dirname(home), 'qc-outside-'));
    const escaping = tempHome({ sandbox: { url: sandbox.url } });
    fs.symlinkSync(elsewhere, path.join(escaping, 'artifacts'));
    try {
      const refused = await runCli(['run', savedPdf, '--local-only'], { ...env, QUANTCODER_HOME: escaping });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr.replace(/\s*›\s*/g, ' ')).toMatch(/Refusing to write into .*artifacts: it resolves to .*qc-outside-/);
      expect(fs.readdirSync(elsewhere)).toEqual([]);
    } finally {
      fs.rmSync(escaping, { recursive: true, force: true });
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 60_000);

  it('`validate -` reads the algorithm from standard input, as scripts pipe it', async () => {
    const broken = 'from AlgorithmImports import *\nclass A(QCAlgorithm):\n    def initialize(self)\n        self.set_cash(1000)\n';
    const bad = await runCliWithInput(['validate', '-', '--local-only'], env, broken);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/syntax error/);
    expect(bad.stdout).toMatch(/line 3/);
    const empty = await runCliWithInput(['validate', '-', '--local-only'], env, '');
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/Standard input held no algorithm code/);
  }, 120_000);
});
