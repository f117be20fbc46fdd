import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import HasteMap from 'jest-haste-map';

// the sequencer jest.config.js names, as jest loads it
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Sequencer = require('../setup/sequencer.js') as new (options: unknown) => { sort(tests: FakeTest[]): FakeTest[] };

interface FakeTest {
  path: string;
  context: { config: { rootDir: string; cache: boolean; id: string; cacheDirectory?: string; haste?: object }; hasteFS: { getSize(p: string): number } };
}

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

/** A project root holding `bench/results/test-suite.json` with `figures` (none when null). */
function projectWith(figures: object | null): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-sequencer-'));
  roots.push(root);
  if (figures) {
    fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
    fs.writeFileSync(path.join(root, 'bench', 'results', 'test-suite.json'), JSON.stringify(figures));
  }
  return root;
}

/** Test files of `root` with the given sizes in bytes; jest's own cache is off, as on a fresh clone. */
function testsOf(root: string, sizes: Record<string, number>): FakeTest[] {
  const byPath = new Map(Object.entries(sizes).map(([file, size]) => [path.join(root, file), size]));
  const context = { config: { rootDir: root, cache: false, id: 'quantcoder' }, hasteFS: { getSize: (p: string) => byPath.get(p) ?? 0 } };
  return [...byPath.keys()].map((p) => ({ path: p, context }));
}

const order = (root: string, tests: FakeTest[]) => new Sequencer({}).sort(tests).map((t) => path.relative(root, t.path));

describe('the test sequencer (longest files first, on a fresh clone too)', () => {
  const sizes = { 'test/a.test.ts': 9000, 'test/b.test.ts': 1000, 'test/c.test.ts': 5000, 'test/d.test.ts': 3000 };

  it('starts the files the last bench:tests found slowest first, whatever their size', () => {
    const root = projectWith({ fileSeconds: { 'test/b.test.ts': 60, 'test/d.test.ts': 30, 'test/a.test.ts': 2, 'test/c.test.ts': 0.5 } });
    expect(order(root, testsOf(root, sizes))).toEqual(['test/b.test.ts', 'test/d.test.ts', 'test/a.test.ts', 'test/c.test.ts']);
  });

  it('starts a file the last run never measured before the measured ones (it may be slow)', () => {
    const root = projectWith({ fileSeconds: { 'test/b.test.ts': 60, 'test/a.test.ts': 2, 'test/c.test.ts': 0.5 } });
    expect(order(root, testsOf(root, sizes))).toEqual(['test/d.test.ts', 'test/b.test.ts', 'test/a.test.ts', 'test/c.test.ts']);
  });

  it('takes the longer of jest\'s cached time and the recorded one (jest caches a partial run\'s time too)', () => {
    const root = projectWith({ fileSeconds: { 'test/b.test.ts': 60, 'test/d.test.ts': 30, 'test/a.test.ts': 2, 'test/c.test.ts': 0.5 } });
    const cacheDirectory = path.join(root, 'jest-cache');
    fs.mkdirSync(cacheDirectory);
    const tests = testsOf(root, sizes).map((t) => ({ ...t, context: { ...t.context, config: { ...t.context.config, cache: true, cacheDirectory, haste: {} } } }));
    const config = tests[0]!.context.config;
    const perfCache = HasteMap.getStatic(config as never).getCacheFilePath(cacheDirectory, `perf-cache-${config.id}`);
    // b last ran for one of its tests (1 s); c got slower since the figures were recorded (45 s)
    fs.writeFileSync(perfCache, JSON.stringify({ [path.join(root, 'test/b.test.ts')]: [0, 1000], [path.join(root, 'test/c.test.ts')]: [0, 45_000] }));
    expect(order(root, tests)).toEqual(['test/b.test.ts', 'test/c.test.ts', 'test/d.test.ts', 'test/a.test.ts']);
  });

  it('without recorded figures orders by size, as jest does', () => {
    const root = projectWith(null);
    expect(order(root, testsOf(root, sizes))).toEqual(['test/a.test.ts', 'test/c.test.ts', 'test/d.test.ts', 'test/b.test.ts']);
  });

  it('finds its paths in the figures this project records (relative to the root, with forward slashes)', () => {
    const root = path.resolve(__dirname, '..', '..');
    const recorded = JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results', 'test-suite.json'), 'utf8')) as { fileSeconds: Record<string, number> };
    const files = Object.keys(recorded.fileSeconds);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(file).toMatch(/^test\/[\w/.-]+\.test\.ts$/);
  });
});
