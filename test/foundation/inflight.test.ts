import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claimOrphanedAttempts, inflightDir, InflightJournal, processAlive, runningAttempts, type OrphanedAttempts } from '../../worker/inflight';

const token = (n: number) => new Uint8Array([n, 255 - n, 7]);
const key = (n: number) => Buffer.from(token(n)).toString('base64');
/** The base64 tokens of a claimed journal's attempts. */
const keysOf = (o: OrphanedAttempts) => o.attempts.map((a) => Buffer.from(a.token).toString('base64'));

describe('the journal of running activity attempts', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-inflight-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  /** A journal file as a process with this pid leaves it behind. */
  function leftBehind(pid: number, lines: string[], n = 1): string {
    const dir = inflightDir(home);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${pid}.${n}.tokens`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }

  it('names the attempts started and not ended, with their workflow executions', () => {
    expect(runningAttempts(['+a w1 r1', '+b w%20two r2', '-a', '+c', '-zzz', ''].join('\n'))).toEqual([
      { token: 'b', execution: { workflowId: 'w two', runId: 'r2' } },
      { token: 'c' },
    ]);
  });

  it("records each attempt's start and end, compacts ended ones away and disappears on a clean stop", () => {
    const journal = new InflightJournal(path.join(inflightDir(home), 'x.1.tokens'), 3);
    const keys = [1, 2, 3, 4, 5, 6].map((n) => journal.started(token(n), { workflowId: `evolve ${n}`, runId: `run-${n}` }));
    for (const k of keys.slice(0, 5)) journal.ended(k);
    const text = fs.readFileSync(journal.file, 'utf8');
    expect(runningAttempts(text)).toEqual([{ token: key(6), execution: { workflowId: 'evolve 6', runId: 'run-6' } }]);
    // compacted: fewer lines than the 11 written
    expect(text.trim().split('\n').length).toBeLessThan(11);
    journal.close();
    expect(fs.existsSync(journal.file)).toBe(false);
  });

  it('never fails an activity because its line cannot be written', () => {
    const journal = new InflightJournal(path.join(inflightDir(home), 'x.2.tokens'), 0);
    // the file's descriptor gone, as after a write error: every later write fails
    fs.closeSync((journal as unknown as { fd: number }).fd);
    expect(() => journal.ended(journal.started(token(1)))).not.toThrow();
    expect(() => journal.close()).not.toThrow();
  });

  it("hands back a dead process's running attempts once, and leaves a live process's journal alone", () => {
    const deadPid = 4_000_001;
    const livePid = 4_000_002;
    leftBehind(deadPid, [`+${key(1)}`, `+${key(2)}`, `-${key(1)}`]);
    const live = leftBehind(livePid, [`+${key(3)}`]);
    const alive = (pid: number) => pid === livePid;

    const claimed = claimOrphanedAttempts(home, 99, alive);
    expect(claimed.map((c) => ({ pid: c.pid, tokens: keysOf(c) }))).toEqual([{ pid: deadPid, tokens: [key(2)] }]);
    expect(fs.readFileSync(live, 'utf8')).toBe(`+${key(3)}\n`);
    // a second process starting meanwhile finds nothing left to claim
    expect(claimOrphanedAttempts(home, 98, alive)).toEqual([]);
    claimed[0]!.release();
    expect(fs.readdirSync(inflightDir(home))).toEqual([path.basename(live)]);
  });

  it("takes a journal carrying its own pid for a predecessor's (a container restarted with the same pid), but never one it opened itself", () => {
    const mine = InflightJournal.forProcess(home);
    mine.started(token(5));
    // the predecessor's journal number differs from this process's own
    const predecessor = leftBehind(process.pid, [`+${key(9)}`], 1_000);
    const claimed = claimOrphanedAttempts(home, process.pid, () => true);
    expect(claimed.map(keysOf)).toEqual([[key(9)]]);
    expect(fs.existsSync(mine.file)).toBe(true);
    expect(fs.existsSync(predecessor)).toBe(false);
    claimed[0]!.release();
    mine.close();
  });

  it("takes over a claim whose claimant died before handing the attempts back", () => {
    const dir = inflightDir(home);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '4000001.1.tokens.4000003.claimed'), `+${key(4)}\n`);
    fs.writeFileSync(path.join(dir, '4000001.2.tokens.4000004.claimed'), `+${key(5)}\n`);
    const claimed = claimOrphanedAttempts(home, 99, (pid) => pid === 4_000_004);
    expect(claimed.map(keysOf)).toEqual([[key(4)]]);
  });

  it('knows a running process from a finished one', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12_345)).toBe(false);
  });
});
