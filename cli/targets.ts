import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PipelineTarget } from '../domain/pipeline';
import { parseTarget } from '../domain/targets';
import { UserError } from './errors';

/** A path as the user typed it, made absolute against where they typed it (`~` is their home). */
function absolutePath(p: string): string {
  const expanded = /^~[\\/]/.test(p) ? path.join(os.homedir(), p.slice(2)) : p;
  return path.resolve(expanded);
}

function existingFile(p: string, what: string): string {
  const file = absolutePath(p);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UserError(`${what} ${p} does not exist`);
  }
  if (!st.isFile()) throw new UserError(`${what} ${p} is not a file`);
  return file;
}

/**
 * What a command's TARGET (and its `--pdf FILE`) asks for. A local PDF becomes an absolute path,
 * checked here so a typo is reported before any workflow starts; the worker reads it from there.
 */
export function commandTarget(text: string, pdf?: string): PipelineTarget {
  const target = parseTarget(text);
  if (pdf !== undefined) {
    if (target.kind !== 'doi') throw new UserError(`--pdf goes with a DOI (the paper's metadata comes from CrossRef, its text from the file); "${text}" is not a DOI. To use a file alone, pass it as the target.`);
    return { ...target, pdfPath: existingFile(pdf, 'The PDF file') };
  }
  if (target.kind === 'file') return { kind: 'file', path: existingFile(target.path, 'The PDF file') };
  return target;
}
