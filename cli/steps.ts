import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './errors';

/** Reads an algorithm file the user named, with a clear error when it is not there. */
export function readAlgorithm(file: string): { file: string; code: string } {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isFile()) throw new UserError(`No file at ${resolved}`);
  return { file: resolved, code: fs.readFileSync(resolved, 'utf8') };
}

/**
 * What a run on an algorithm file is named after: the algorithm's class (`class Momentum(QCAlgorithm)`),
 * else the file's name without its extension. Never the folder: every generated algorithm is a `main.py`
 * in some folder, and the class says which strategy it is.
 */
export function algorithmName(file: string, code: string): string {
  const cls = /^class\s+([A-Za-z_]\w*)\s*\(\s*(?:[\w.]+\.)?QCAlgorithm\s*\)\s*:/m.exec(code)?.[1];
  if (cls) return cls;
  return path.basename(file).replace(/\.[^.]+$/, '') || 'algorithm';
}
