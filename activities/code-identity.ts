import { createHash } from 'node:crypto';
import { normalizePython } from '../domain/code-hash';

/** The key of a program: SHA-256 of its normalised text, so comments and spacing do not count. */
export function codeHash(code: string): string {
  return createHash('sha256').update(normalizePython(code)).digest('hex');
}
