import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PathSecurityError, PdfTooLargeError } from '../domain/errors';
import type { PipelineTarget } from '../domain/pipeline';
import { parseTarget } from '../domain/targets';
import { ArtifactStore } from '../store/artifacts';
import type { Settings } from '../config/settings';
import { UserError } from './errors';

/** A path as the user typed it, made absolute against where they typed it (`~` is their home). */
function absolutePath(p: string): string {
  const expanded = /^~[\\/]/.test(p) ? path.join(os.homedir(), p.slice(2)) : p;
  return path.resolve(expanded);
}

function existingFile(p: string, what: string): { file: string; size: number } {
  const file = absolutePath(p);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new UserError(`${what} ${p} does not exist`);
  }
  if (!st.isFile()) throw new UserError(`${what} ${p} is not a file`);
  return { file, size: st.size };
}

/**
 * Copies the user's PDF into the artifact store (content-addressed, inside QUANTCODER_HOME) and
 * returns its SHA-256. Workflows then carry that key, never a path of this machine: a worker on
 * another host reads the same bytes from the store, and histories hold no user's directory names.
 * The store must really lie inside the home: a symlink that leads out of it is refused.
 */
async function importIntoStore(typed: string, settings: Settings): Promise<{ artifact: string; name: string }> {
  const { file, size } = existingFile(typed, 'The PDF file');
  const { maxBytes } = settings.config.download;
  if (size > maxBytes) throw new PdfTooLargeError(`${typed} is ${size} bytes, more than the ${maxBytes}-byte limit (download.maxBytes)`);
  const { home, artifacts } = settings.layout;
  fs.mkdirSync(artifacts, { recursive: true });
  const realHome = fs.realpathSync(home);
  const realStore = fs.realpathSync(artifacts);
  if (path.relative(realHome, realStore).startsWith('..') || path.isAbsolute(path.relative(realHome, realStore))) {
    throw new PathSecurityError(`Refusing to write into ${artifacts}: it resolves to ${realStore}, outside ${realHome}`);
  }
  const artifact = await new ArtifactStore(realStore).put(fs.readFileSync(file));
  return { artifact, name: path.basename(file).replace(/\.pdf$/i, '') || 'paper' };
}

/**
 * What a command's TARGET (and its `--pdf FILE`) asks for. A local PDF is checked here, so a typo
 * is reported before any workflow starts, and copied into the artifact store: the workflow gets
 * the copy's key and the file's name, not its path.
 */
export async function commandTarget(text: string, pdf: string | undefined, settings: Settings): Promise<PipelineTarget> {
  const target = parseTarget(text);
  if (pdf !== undefined) {
    if (target.kind !== 'doi') throw new UserError(`--pdf goes with a DOI (the paper's metadata comes from CrossRef, its text from the file); "${text}" is not a DOI. To use a file alone, pass it as the target.`);
    return { kind: 'doi', doi: target.doi, pdfArtifact: (await importIntoStore(pdf, settings)).artifact };
  }
  if (target.kind === 'file' && 'path' in target) return { kind: 'file', ...(await importIntoStore(target.path, settings)) };
  return target;
}
