import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactStore } from '../../activities/artifacts';
import { ArtifactCorruptError, ArtifactNotFoundError } from '../../domain/errors';
import { InvalidInputError } from '../../domain/errors';
import { rejectionOf } from './helpers/server';

describe('artifact store', () => {
  let root: string;
  let store: ArtifactStore;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'qc-artifacts-'));
    store = new ArtifactStore(path.join(root, 'artifacts'));
  });
  afterEach(() => fs.rm(root, { recursive: true, force: true }));

  it('stores content under its SHA-256, sharded by the first two hex digits', async () => {
    const text = 'Paper text — with unicode ✓\n'.repeat(1000);
    const sha = await store.put(text);
    expect(sha).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
    expect(store.pathFor(sha)).toBe(path.join(root, 'artifacts', sha.slice(0, 2), sha));
    expect(await fs.readFile(store.pathFor(sha), 'utf8')).toBe(text);
    expect(await store.getText(sha)).toBe(text);
    expect(await store.has(sha)).toBe(true);
  });

  it('is idempotent: storing the same content again, even concurrently, leaves one file and no temp files', async () => {
    const content = Buffer.from('%PDF-1.4 binary \x00\x01\x02');
    const shas = await Promise.all([store.put(content), store.put(content), store.put(content)]);
    expect(new Set(shas).size).toBe(1);
    expect(await fs.readdir(path.dirname(store.pathFor(shas[0]!)))).toEqual([shas[0]]);
    expect(await store.get(shas[0]!)).toEqual(content);
  });

  it('says clearly when an artifact is missing, damaged, or the id is not a hash', async () => {
    const missing = 'a'.repeat(64);
    expect(await store.has(missing)).toBe(false);
    expect(await rejectionOf(store.get(missing))).toBeInstanceOf(ArtifactNotFoundError);

    const sha = await store.put('original');
    await fs.writeFile(store.pathFor(sha), 'tampered');
    expect(await rejectionOf(store.get(sha))).toBeInstanceOf(ArtifactCorruptError);
    expect(await store.put('original')).toBe(sha); // storing it again repairs it
    expect(await store.getText(sha)).toBe('original');

    expect(() => store.pathFor('../../etc/passwd')).toThrow(InvalidInputError);
  });
});
