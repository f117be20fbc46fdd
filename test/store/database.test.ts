import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS_DIR, migrateLearningDatabase, openLearningDatabase, openLearningDatabaseReadOnly, pendingMigrations } from '../../store/database';
import { recordSearch } from '../../store/searches';
import { DatabaseError } from '../../domain/errors';
import { testPaper } from '../helpers/papers';

const paper = (i: number) => testPaper(i);

describe('learning database', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-db-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is created with every committed migration when missing', () => {
    const file = path.join(dir, 'nested', 'learning.db');
    const report = migrateLearningDatabase(file);
    expect(report.created).toBe(true);
    expect(report.applied.length).toBe(fs.readdirSync(MIGRATIONS_DIR).filter((d) => !d.endsWith('.toml')).length);
    expect(pendingMigrations(file)).toEqual([]);
    expect(migrateLearningDatabase(file).applied).toEqual([]);
  });

  it('brings a database at an older migration up to date, keeping its rows', () => {
    const old = path.join(dir, 'migrations');
    const first = fs.readdirSync(MIGRATIONS_DIR).filter((d) => !d.endsWith('.toml')).sort()[0]!;
    fs.mkdirSync(path.join(old, first), { recursive: true });
    fs.copyFileSync(path.join(MIGRATIONS_DIR, first, 'migration.sql'), path.join(old, first, 'migration.sql'));
    const file = path.join(dir, 'learning.db');
    migrateLearningDatabase(file, old);
    const db = new Database(file);
    db.prepare("INSERT INTO Search (workflowId, query, source) VALUES ('w', 'q', 'crossref')").run();
    db.close();
    // a later release ships one more migration
    const next = path.join(old, '99990101000000_later');
    fs.mkdirSync(next);
    fs.writeFileSync(path.join(next, 'migration.sql'), 'CREATE TABLE "Later" ("id" INTEGER PRIMARY KEY);');
    expect(pendingMigrations(file, old)).toEqual(['99990101000000_later']);
    expect(migrateLearningDatabase(file, old).applied).toEqual(['99990101000000_later']);
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT count(*) AS n FROM Search').get()).toEqual({ n: 1 });
    after.close();
  });

  it('refuses a corrupt file with a message naming it, and leaves it untouched', () => {
    const file = path.join(dir, 'learning.db');
    const garbage = Buffer.from('this is not a database at all, just some text that someone saved here');
    fs.writeFileSync(file, garbage);
    expect(() => migrateLearningDatabase(file)).toThrow(DatabaseError);
    expect(() => migrateLearningDatabase(file)).toThrow(file);
    expect(fs.readFileSync(file).equals(garbage)).toBe(true);
  });

  it('stores a search idempotently: recording it twice leaves one set of rows', async () => {
    const prisma = openLearningDatabase(migrateLearningDatabase(path.join(dir, 'learning.db')).file);
    try {
      const input = { workflowId: 'search-x-1', query: 'momentum', source: 'crossref', papers: [paper(1), paper(2)] };
      const first = await recordSearch(prisma, input);
      const second = await recordSearch(prisma, input);
      expect(second.searchId).toBe(first.searchId);
      expect(second.results.map((r) => r.n)).toEqual([1, 2]);
      expect(await prisma.article.count()).toBe(2);
      expect(await prisma.searchResult.count()).toBe(2);
      expect(await prisma.search.count()).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
  });

  it('is not created by opening it: only an explicit migrate creates the file', () => {
    const file = path.join(dir, 'learning.db');
    expect(openLearningDatabaseReadOnly(file)).toBeNull();
    expect(() => openLearningDatabase(file)).toThrow(/quantcoder db migrate/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('opened read-only, answers reads and refuses writes without changing a byte', async () => {
    const file = path.join(dir, 'learning.db');
    migrateLearningDatabase(file);
    const writer = openLearningDatabase(file);
    await recordSearch(writer, { workflowId: 'search-x-1', query: 'momentum', source: 'crossref', papers: [paper(1)] });
    await writer.$disconnect();
    const before = fs.readFileSync(file);
    const reader = openLearningDatabaseReadOnly(file)!;
    try {
      expect(await reader.article.count()).toBe(1);
      await expect(reader.search.create({ data: { workflowId: 'w2', query: 'q', source: 'crossref' } })).rejects.toThrow(/readonly|read-only/i);
    } finally {
      await reader.$disconnect();
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('opened read-only, a database missing a migration is reported, not migrated', () => {
    const old = path.join(dir, 'migrations');
    const first = fs.readdirSync(MIGRATIONS_DIR).filter((d) => !d.endsWith('.toml')).sort()[0]!;
    fs.mkdirSync(path.join(old, first), { recursive: true });
    fs.copyFileSync(path.join(MIGRATIONS_DIR, first, 'migration.sql'), path.join(old, first, 'migration.sql'));
    const file = path.join(dir, 'learning.db');
    migrateLearningDatabase(file, old);
    const pending = pendingMigrations(file);
    expect(pending.length).toBeGreaterThan(0);
    expect(() => openLearningDatabaseReadOnly(file)).toThrow(DatabaseError);
    expect(() => openLearningDatabaseReadOnly(file)).toThrow(/quantcoder db migrate/);
    expect(pendingMigrations(file)).toEqual(pending);
  });
});
