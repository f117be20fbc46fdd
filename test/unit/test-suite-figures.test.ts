import { commandOf, parseProcStat, processKind, programOf } from '../../bench/test-suite';

describe('the test-suite figures', () => {
  it('reads a process’s own and its waited-for children’s CPU from /proc/<pid>/stat, whatever its name holds', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    const line = '4242 (node (jest) x) S 4200 4242 4242 0 -1 4194304 100 0 0 0 250 50 1200 300 20 0 11 0 1000 0 0';
    expect(parseProcStat(line)).toEqual({ ppid: 4200, cpuSeconds: 3, childrenCpuSeconds: 15 });
  });

  it.each([
    ['/usr/bin/node /repo/bin/run.js worker', 'quantcoder worker processes'],
    ['/usr/bin/node /repo/bin/run.js evolve start baseline.py --detach', 'quantcoder commands'],
    ['/repo/.tools/py/bin/temporal server start-dev --ip 127.0.0.1 --port 1234', 'Temporal dev server'],
    ['/usr/lib/postgresql/15/bin/postgres -D /tmp/pg/data', 'PostgreSQL'],
    ['bash /home/me/.pyenv/libexec/pyenv-exec python3 -I -S -c import ast', 'Python'],
    ['/usr/bin/python3.11 -c pass', 'Python'],
    ['/usr/lib/chromium/chromium --headless', 'Chromium'],
    ['/usr/bin/node node_modules/jest-worker/build/processChild.js', 'test runner (jest)'],
    ['node /repo/node_modules/.bin/tsc -b tsconfig.build.json', 'build (tsc, bundle, manifest)'],
    ['/bin/rm -rf /tmp/x', 'other'],
  ])('files %s under %s', (cmd, kind) => {
    expect(processKind(cmd)).toBe(kind);
  });

  it('names a process by its program and first argument, without the directories of this machine', () => {
    expect(programOf('/usr/bin/node /repo/node_modules/.bin/prisma migrate deploy')).toBe('node prisma');
    expect(programOf('git rev-parse HEAD')).toBe('git rev-parse');
    expect(programOf('/bin/sh')).toBe('sh');
    expect(programOf('')).toBe('');
  });

  it('names a quantcoder command by the longest command it begins with, its arguments and flags left out', () => {
    const ids = ['runs', 'runs:list', 'runs:show', 'evolve:start', 'search'];
    expect(commandOf('/usr/bin/node /repo/bin/run.js runs list --json', ids)).toBe('runs list');
    expect(commandOf('node bin/run.js runs --help', ids)).toBe('runs');
    expect(commandOf('node /repo/bin/run.js evolve start /tmp/base.py --detach', ids)).toBe('evolve start');
    expect(commandOf('node /repo/bin/run.js search momentum', ids)).toBe('search');
    expect(commandOf('node /repo/bin/run.js --help', ids)).toBe('?');
    expect(commandOf('node /repo/other/run.js runs list', ids)).toBe('?');
  });
});
