import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ArtifactCorruptError, ArtifactNotFoundError } from '../domain/errors';
import { InvalidInputError } from '../domain/errors';

const SHA256 = /^[0-9a-f]{64}$/;

export function sha256Hex(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * A content-addressed store for things too big for workflow history (PDF text, LLM transcripts):
 * `<root>/<sha[0:2]>/<sha>`. Writes go to a temp file and are renamed into place, so a reader
 * never sees half an artifact, and putting the same content twice is a no-op.
 */
export class ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Where an artifact lives (whether or not it exists). */
  pathFor(sha256: string): string {
    const sha = sha256.toLowerCase();
    if (!SHA256.test(sha)) throw new InvalidInputError(`"${sha256}" is not a SHA-256 artifact id`);
    return path.join(this.root, sha.slice(0, 2), sha);
  }

  /** Stores content (strings as UTF-8) and returns its SHA-256. */
  async put(content: string | Buffer): Promise<string> {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const sha = sha256Hex(bytes);
    const target = this.pathFor(sha);
    // Already stored and intact: nothing to do. A damaged copy is rewritten.
    const existing = await fs.readFile(target).catch(() => null);
    if (existing?.equals(bytes)) return sha;
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.writeFile(temp, bytes, { flag: 'wx' });
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw err;
    }
    return sha;
  }

  async has(sha256: string): Promise<boolean> {
    const st = await fs.stat(this.pathFor(sha256)).catch(() => null);
    return st?.isFile() ?? false;
  }

  /** The artifact's bytes, checked against its hash. */
  async get(sha256: string): Promise<Buffer> {
    const target = this.pathFor(sha256);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ArtifactNotFoundError(`Artifact ${sha256} is not in the store at ${this.root}`);
      }
      throw err;
    }
    const actual = sha256Hex(bytes);
    if (actual !== sha256.toLowerCase()) {
      throw new ArtifactCorruptError(`Artifact ${sha256} in ${this.root} is damaged (its content hashes to ${actual}); store it again`);
    }
    return bytes;
  }

  /** The artifact as UTF-8 text. */
  async getText(sha256: string): Promise<string> {
    return (await this.get(sha256)).toString('utf8');
  }
}
