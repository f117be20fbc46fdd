const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Longest files first, also on a fresh clone.
 *
 * Jest starts the files that took longest last time first, so the run does not end with one slow
 * file alone while the other workers idle; but it keeps those times in its own cache, which a
 * fresh clone (and CI) does not have, and then orders by file size, which says little here: a
 * small file that drives evolutions or kills workers can take half a minute. Without its cache
 * this sequencer takes each file's time from `bench/results/test-suite.json`, the last
 * `npm run bench:tests` (`fileSeconds`, or its `slowestFiles`). Files that failed last time
 * still come first; jest's own times, where it has them, win over the recorded ones.
 */
class LongestFirstSequencer extends Sequencer {
  sort(tests) {
    const recorded = recordedSeconds(tests[0]?.context.config.rootDir);
    const failed = new Map(tests.map((t) => [t, this.hasFailed(t)]));
    const ms = new Map(tests.map((t) => [t, estimateMs(this.time(t), recorded, t)]));
    const size = (t) => t.context.hasteFS.getSize(t.path) ?? 0;
    return tests.sort((a, b) => {
      if (failed.get(a) !== failed.get(b)) return failed.get(a) ? -1 : 1;
      const da = ms.get(a);
      const db = ms.get(b);
      // a file never measured may be a slow one: it starts before the measured ones, as jest does
      if ((da === undefined) !== (db === undefined)) return da === undefined ? -1 : 1;
      if (da !== undefined && db !== undefined && da !== db) return db - da;
      return size(b) - size(a);
    });
  }
}

/**
 * A file's expected milliseconds: jest's cached time, else the recorded one; undefined when
 * neither knows the file. With only the slowest files recorded, the others count as quick.
 */
function estimateMs(cached, recorded, test) {
  if (cached) return cached;
  if (!recorded) return undefined;
  const seconds = recorded.seconds.get(path.relative(recorded.root, test.path).split(path.sep).join('/'));
  if (seconds !== undefined) return seconds * 1000;
  return recorded.complete ? undefined : 0;
}

/** The recorded per-file seconds, by path relative to the project root, or null if there are none. */
function recordedSeconds(root) {
  if (!root) return null;
  let figures;
  try {
    figures = JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results', 'test-suite.json'), 'utf8'));
  } catch {
    return null;
  }
  if (figures.fileSeconds && typeof figures.fileSeconds === 'object') {
    return { root, complete: true, seconds: new Map(Object.entries(figures.fileSeconds)) };
  }
  if (Array.isArray(figures.slowestFiles)) {
    return { root, complete: false, seconds: new Map(figures.slowestFiles.map((f) => [f.file, f.seconds])) };
  }
  return null;
}

module.exports = LongestFirstSequencer;
