import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

const COMPILE_CACHE = path.join(__dirname, '..', '..', 'cli', 'compile-cache.ts');

/**
 * The CLI's module compile cache (cli/compile-cache.ts), in fresh Node processes as `bin/run.js`
 * uses it: modules behave as Node's own loader makes them, the first process writes one entry per
 * module, later ones read them back, and a bad entry is replaced.
 */
describe('the CLI\'s module compile cache', () => {
  let dir: string;
  let cache: string;
  let main: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-compile-cache-'));
    cache = path.join(dir, 'cache');
    fs.mkdirSync(path.join(dir, 'app', 'lib'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'app', 'lib', 'shape.js'), "#!/usr/bin/env node\n'use strict';\nexports.area = (w, h) => w * h;\nexports.where = __dirname;\nexports.self = __filename;\n");
    fs.writeFileSync(path.join(dir, 'app', 'lib', 'data.json'), '{"side": 7}');
    fs.writeFileSync(path.join(dir, 'app', 'lib', 'esm.mjs'), 'export const answer = 42;\n');
    fs.writeFileSync(path.join(dir, 'app', 'lib', 'lazy.js'), "exports.load = () => import('./esm.mjs');\n");
    fs.writeFileSync(
      path.join(dir, 'app', 'lib', 'broken.js'),
      "module.exports = function explode() {\n  throw new Error('boom');\n};\n",
    );
    // the module as the build compiles it, without a TypeScript loader in the process under test
    fs.writeFileSync(path.join(dir, 'compile-cache.js'), ts.transpileModule(fs.readFileSync(COMPILE_CACHE, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText);
    main = path.join(dir, 'app', 'main.js');
    fs.writeFileSync(
      main,
      [
        "const shape = require('./lib/shape');",
        "const { side } = require('./lib/data.json');",
        "let stack = '';",
        "try { require('./lib/broken')(); } catch (err) { stack = err.stack; }",
        "require('./lib/lazy').load().then((esm) => {",
        '  process.stdout.write(JSON.stringify({',
        '    area: shape.area(side, 3),',
        "    where: shape.where, self: shape.self, resolved: require.resolve('./lib/shape'),",
        '    isMain: require.main === module, cached: Object.keys(require.cache).length > 0,',
        "    stackLine: (stack.split('\\n')[1] || '').trim(), answer: esm.answer,",
        '  }));',
        '});',
      ].join('\n'),
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs main.js with the cache enabled (before it loads anything), and returns what it printed. */
  const run = (env: Record<string, string> = {}) => {
    const boot = path.join(dir, 'boot.js');
    fs.writeFileSync(
      boot,
      [
        "const { enableModuleCompileCache } = require('./compile-cache.js');",
        `process.stdout.write(String(enableModuleCompileCache(${JSON.stringify(cache)})) + '\\n');`,
        `require(${JSON.stringify(main)});`,
      ].join('\n'),
    );
    const out = execFileSync(process.execPath, [boot], { env: { ...process.env, ...env }, encoding: 'utf8' });
    const [enabled, result] = out.split('\n');
    return { enabled: enabled === 'true', result: JSON.parse(result!) as Record<string, unknown> };
  };
  const entries = () => (fs.existsSync(cache) ? fs.readdirSync(cache).sort() : []);

  it('loads modules as Node does, writes one entry per module once, and reads them back', () => {
    const first = run();
    expect(first.enabled).toBe(true);
    expect(first.result).toEqual({
      area: 21,
      where: path.join(dir, 'app', 'lib'),
      self: path.join(dir, 'app', 'lib', 'shape.js'),
      resolved: path.join(dir, 'app', 'lib', 'shape.js'),
      isMain: false,
      cached: true,
      stackLine: `at explode (${path.join(dir, 'app', 'lib', 'broken.js')}:2:9)`,
      answer: 42,
    });
    const written = entries();
    // main.js, shape.js and broken.js; lazy.js uses import() and is compiled as usual
    expect(written).toHaveLength(3);
    expect(written.every((f) => /^[0-9a-f]{40}$/.test(f))).toBe(true);
    const times = written.map((f) => fs.statSync(path.join(cache, f)).mtimeMs);

    const second = run();
    expect(second.result).toEqual(first.result);
    // nothing rewritten: every module came from the cache
    expect(entries()).toEqual(written);
    expect(written.map((f) => fs.statSync(path.join(cache, f)).mtimeMs)).toEqual(times);
  });

  it('replaces an entry V8 refuses, and writes nothing when turned off', () => {
    run();
    const [victim] = entries();
    fs.writeFileSync(path.join(cache, victim!), 'not a code cache');
    expect(run().result.area).toBe(21);
    expect(fs.readFileSync(path.join(cache, victim!), 'utf8')).not.toBe('not a code cache');

    fs.rmSync(cache, { recursive: true, force: true });
    const off = run({ QUANTCODER_COMPILE_CACHE: '0' });
    expect(off.enabled).toBe(false);
    expect(off.result.area).toBe(21);
    expect(entries()).toEqual([]);
  });
});
