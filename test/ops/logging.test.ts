import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { RotatingLogFile } from '../../worker/log-file';
import { createLogger, temporalLogger } from '../../worker/logger';

const FAKE_KEY = 'sk-test-NEVER-IN-LOGS-31415926';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'qc-log-'));
}

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/** pino hands lines to its stream synchronously, but let any pending tick settle before reading. */
const settle = () => new Promise((r) => setImmediate(r));

function hasJq(): boolean {
  try {
    execFileSync('jq', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the log file', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('rotates by size, keeps the configured number of files, and never splits or loses a kept line', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'quantcoder.log');
    const log = new RotatingLogFile(file, 200, 3);
    const written = Array.from({ length: 40 }, (_, i) => `{"n":${i},"msg":"line ${String(i).padStart(3, '0')} ${'x'.repeat(20)}"}\n`);
    written.forEach((l) => log.write(l));
    log.close();

    expect(fs.readdirSync(dir).sort()).toEqual(['quantcoder.log', 'quantcoder.log.1', 'quantcoder.log.2', 'quantcoder.log.3']);
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(200);
    // oldest first: .3, .2, .1, then the live file; together they are the newest lines, in order, each whole
    const kept = ['quantcoder.log.3', 'quantcoder.log.2', 'quantcoder.log.1', 'quantcoder.log'].flatMap((f) => lines(path.join(dir, f)));
    const numbers = kept.map((l) => (JSON.parse(l) as { n: number }).n);
    expect(numbers).toEqual(numbers.map((_, i) => 40 - numbers.length + i));
    expect(numbers.at(-1)).toBe(39);
  });

  it('continues the current file after a restart instead of starting over', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'quantcoder.log');
    const first = new RotatingLogFile(file, 100, 5);
    first.write(`${'a'.repeat(59)}\n`);
    first.close();
    const second = new RotatingLogFile(file, 100, 5);
    second.write(`${'b'.repeat(59)}\n`); // 60 + 60 > 100: the size before the restart counts
    second.close();
    expect(lines(`${file}.1`)).toEqual(['a'.repeat(59)]);
    expect(lines(file)).toEqual(['b'.repeat(59)]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('holds one JSON object per line, with numeric pino levels that jq can filter', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'quantcoder.log');
    const logger = createLogger({ level: 'debug', format: 'pretty', file, console: false });
    logger.debug({ step: 'bundle' }, 'bundling workflows');
    logger.info({ workflowId: 'search-momentum-abc1234', attempt: 2 }, 'activity retried');
    logger.error({ err: new Error('QuantConnect answered HTTP 503') }, 'backtest failed');
    temporalLogger(logger).warn('Activity failed', { activityType: 'searchCrossref', attempt: 3 });
    await settle();

    const records = lines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => [r.level, r.msg])).toEqual([
      [20, 'bundling workflows'],
      [30, 'activity retried'],
      [50, 'backtest failed'],
      [40, 'Activity failed'],
    ]);
    for (const r of records) expect(new Date(r.time as string).toISOString()).toBe(r.time);
    // the Temporal SDK's own lines go through the same logger, tagged
    expect(records[3]).toMatchObject({ component: 'temporal', activityType: 'searchCrossref', attempt: 3 });
    expect(records[2]).toMatchObject({ err: { message: 'QuantConnect answered HTTP 503', type: 'Error' } });

    if (hasJq()) {
      // the runbook's queries, run by jq itself
      expect(execFileSync('jq', ['-r', 'select(.level >= 50) | .msg', file], { encoding: 'utf8' })).toBe('backtest failed\n');
      expect(execFileSync('jq', ['-r', 'select(.component == "temporal") | .activityType', file], { encoding: 'utf8' })).toBe('searchCrossref\n');
    }
  });

  it('never writes a known secret, whether it is in a message, a field, or a credential field', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'quantcoder.log');
    const consoleLines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        consoleLines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger({ level: 'info', format: 'json', file, secrets: [FAKE_KEY], console: sink });
    logger.info(`calling OpenAI with key ${FAKE_KEY}`);
    logger.info({ request: { url: 'https://api.openai.com/v1/models', note: `Bearer ${FAKE_KEY}` } }, 'request');
    logger.warn({ apiKey: 'another-credential-value', config: { apiToken: 'qc-token-value-xyz' }, headers: { authorization: 'Basic dXNlcjpoYXNo' } }, 'credential fields');
    await settle();

    const text = fs.readFileSync(file, 'utf8');
    for (const secret of [FAKE_KEY, 'another-credential-value', 'qc-token-value-xyz', 'dXNlcjpoYXNo']) {
      expect(text).not.toContain(secret);
      expect(consoleLines.join('')).not.toContain(secret);
    }
    const records = lines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records[0]!.msg).toBe('calling OpenAI with key [REDACTED]');
    expect(records[1]).toMatchObject({ request: { note: 'Bearer [REDACTED]' } });
    expect(records[2]).toMatchObject({ apiKey: '[REDACTED]', config: { apiToken: '[REDACTED]' }, headers: { authorization: '[REDACTED]' } });
  });
});
