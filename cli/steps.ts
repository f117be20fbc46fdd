import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './errors';

/** Reads an algorithm file the user named, with a clear error when it is not there. */
export function readAlgorithm(file: string): { file: string; code: string } {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isFile()) throw new UserError(`No file at ${resolved}`);
  return { file: resolved, code: fs.readFileSync(resolved, 'utf8') };
}
