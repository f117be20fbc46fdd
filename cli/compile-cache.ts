import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/**
 * V8's code cache for the CommonJS modules a `quantcoder` process loads, for Node versions without
 * `module.enableCompileCache` (before 22.1). Each command loads about 560 files (5.6 MB: Temporal's
 * client and protobuf definitions, gRPC, zod, oclif), and compiling them was about a quarter of a
 * short command's CPU time; with the cache V8 reads the compiled code back instead.
 *
 * One file per module, named by the hash of the module's source, so a changed module gets a new
 * entry and two processes never write the same entry with different contents. An entry is written
 * only where none was read, once the process has run a while or exits (V8 then includes the
 * functions the process compiled lazily); an entry V8 refuses (another Node version or V8 flags) is
 * replaced. Each write goes to a temporary file renamed into place, so a reader sees a whole entry
 * or none. Any failure to read or write the cache only means compiling as usual.
 *
 * Modules that use `import()` are compiled as usual: a script compiled here has no loader for it.
 */
interface Pending {
  script: vm.Script;
  file: string;
}

interface InternalModule {
  exports: unknown;
  require(id: string): unknown;
  _compile(content: string, filename: string): unknown;
}

interface ModuleStatics {
  wrap(content: string): string;
  _resolveFilename(request: string, parent: InternalModule, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: InternalModule): string[] | null;
  _extensions: unknown;
  _cache: unknown;
  prototype: InternalModule;
}

/** Where the caches live: the package's `node_modules/.cache` (deleting it is always safe). */
export function compileCacheRoot(packageRoot: string): string {
  return path.join(packageRoot, 'node_modules', '.cache', 'quantcoder-v8');
}

/** The cache for this Node version, architecture and V8 flags (V8 refuses code compiled under others). */
export function compileCacheDir(packageRoot: string): string {
  const flags = createHash('sha1').update(`${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}`).digest('hex').slice(0, 12);
  return path.join(compileCacheRoot(packageRoot), `${process.version}-${process.arch}-${flags}`);
}

/** Entries are written this long after the start (a worker runs on), and the rest at exit. */
const FLUSH_AFTER_MS = 5000;

/**
 * Caches compiled modules in `dir` from now on. Returns false (and changes nothing) when
 * `QUANTCODER_COMPILE_CACHE=0` turns it off. For Node before 22.1: later ones cache by themselves.
 */
export function enableModuleCompileCache(dir: string): boolean {
  if (process.env.QUANTCODER_COMPILE_CACHE === '0') return false;
  const statics = Module as unknown as ModuleStatics;
  const original = statics.prototype._compile;
  const pending: Pending[] = [];
  let dirReady = false;

  const flush = () => {
    const batch = pending.splice(0);
    if (!batch.length) return;
    try {
      if (!dirReady) fs.mkdirSync(dir, { recursive: true });
      dirReady = true;
      for (const { script, file } of batch) {
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, file);
      }
    } catch {
      // a read-only install, a full disk: the next process compiles as usual
    }
  };

  statics.prototype._compile = function compileWithCache(this: InternalModule, content: string, filename: string) {
    if (content.includes('import(')) return original.call(this, content, filename);
    const key = createHash('sha1').update(content).digest('hex');
    const file = path.join(dir, key);
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    const source = content.startsWith('#!') ? `//${content.slice(2)}` : content;
    const script = new vm.Script(statics.wrap(source), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) pending.push({ script, file });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, requireFor(this, statics), this, filename, path.dirname(filename));
  };

  process.once('exit', flush);
  setTimeout(flush, FLUSH_AFTER_MS).unref();
  return true;
}

/** The `require` a module's code sees, as Node's own loader makes it. */
function requireFor(mod: InternalModule, statics: ModuleStatics) {
  const require = (id: string) => mod.require(id);
  const resolve = (request: string, options?: unknown) => statics._resolveFilename(request, mod, false, options);
  resolve.paths = (request: string) => statics._resolveLookupPaths(request, mod);
  return Object.assign(require, { resolve, main: process.mainModule, extensions: statics._extensions, cache: statics._cache });
}
