import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment, type EphemeralServerExecutable } from '@temporalio/testing';
import { QUANTCODER_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { packageRoot } from '../config/package-root';

export interface ResolvedExecutable {
  executable: EphemeralServerExecutable;
  /** Where it came from, for messages: an env var, PATH, the project's `.tools/`, or the SDK download. */
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'project' | 'sdk-download';
  path?: string;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Folders under `.tools/` where the setup script installs the Temporal CLI from PyPI. */
export function projectToolDirs(root = packageRoot()): string[] {
  return [path.join(root, '.tools', 'py', 'bin'), path.join(root, '.tools', 'bin')];
}

/**
 * Finds the Temporal CLI: `TEMPORAL_CLI_PATH`, then `temporal` on `PATH`, then the project's
 * `.tools/`, then the SDK's own download (which needs internet).
 */
export function resolveTemporalExecutable(env: NodeJS.ProcessEnv = process.env, root?: string): ResolvedExecutable {
  const fromEnv = env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return { executable: { type: 'existing-path', path: fromEnv }, source: 'TEMPORAL_CLI_PATH', path: fromEnv };
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    if (isExecutable(candidate)) return { executable: { type: 'existing-path', path: candidate }, source: 'PATH', path: candidate };
  }
  for (const dir of projectToolDirs(root)) {
    const candidate = path.join(dir, 'temporal');
    if (isExecutable(candidate)) return { executable: { type: 'existing-path', path: candidate }, source: 'project', path: candidate };
  }
  return { executable: { type: 'cached-download' }, source: 'sdk-download' };
}

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  ui?: boolean;
  ip?: string;
  namespace?: string;
  /** SQLite file that keeps the server's state across restarts; in memory when absent. */
  dbFile?: string;
  logLevel?: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts `temporal server start-dev` with QuantCoder's search attributes registered. */
export async function startDevServer(options: DevServerOptions = {}): Promise<{ env: TestWorkflowEnvironment; resolved: ResolvedExecutable }> {
  const resolved = resolveTemporalExecutable(options.env);
  if (options.dbFile) fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: resolved.executable,
      ip: options.ip ?? '127.0.0.1',
      port: options.port,
      ui: options.ui ?? false,
      uiPort: options.uiPort,
      namespace: options.namespace ?? 'default',
      dbFilename: options.dbFile,
      searchAttributes: QUANTCODER_SEARCH_ATTRIBUTES,
      log: { format: 'json', level: options.logLevel ?? 'error' },
    },
  });
  return { env, resolved };
}
