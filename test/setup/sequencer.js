const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Longest files first, also on a fresh clone.
 *
 * Jest starts the files that took longest last time first, so the run does not end with one slow
 * file alone while the other workers idle; but it keeps those times in its own cache, which a
 * fresh clone (and CI) does not have, and then orders by file size, which says little here: a
 * small file that drives evolutions or kills workers can take half a minute. This sequencer only
 * changes where a file's time comes from: the longer of jest's cache and
 * `bench/results/test-suite.json` (`fileSeconds`, written by `npm run bench:tests`). Jest's own
 * order does the rest: files that failed last time first, then files with no time at all (they
 * may be slow), then the longest.
 */
class LongestFirstSequencer extends Sequencer {
  /** Recorded milliseconds by absolute file path, per project root (read once). */
  #recorded = new Map();

  time(test) {
    const cached = super.time(test);
    const recorded = this.#recordedMs(test.context.config.rootDir).get(test.path);
    // jest also caches the time of a partial run (`jest FILE -t NAME`): a file once run for one of its
    // tests would start last; the longer of the two times is the whole file's
    if (!cached) return recorded;
    return recorded === undefined ? cached : Math.max(cached, recorded);
  }

  #recordedMs(root) {
    let byPath = this.#recorded.get(root);
    if (!byPath) {
      byPath = new Map();
      try {
        const { fileSeconds } = JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results', 'test-suite.json'), 'utf8'));
        for (const [file, seconds] of Object.entries(fileSeconds ?? {})) byPath.set(path.join(root, file), seconds * 1000);
      } catch {
        // no recorded figures: jest's cache or the file size decides
      }
      this.#recorded.set(root, byPath);
    }
    return byPath;
  }
}

module.exports = LongestFirstSequencer;
