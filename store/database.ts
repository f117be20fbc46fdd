import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PrismaClient } from '@prisma/client';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { DatabaseError } from '../domain/errors';
import { packageRoot } from '../config/package-root';

/** The committed Prisma migrations, shipped with the package. */
export const MIGRATIONS_DIR = path.join(packageRoot(), 'prisma', 'migrations');

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface MigrationReport {
  file: string;
  created: boolean;
  applied: string[];
  total: number;
}

/** The committed migrations in `dir`, oldest first: one folder each, holding its `migration.sql`. */
export function listMigrations(dir: string): Array<{ name: string; sql: string }> {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') }));
}

/**
 * Checks that a file is a healthy SQLite database without writing to it.
 * A corrupt or foreign file is reported naming the file, and never touched.
 */
export function assertSqliteFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(16);
    const read = fs.readSync(fd, header, 0, 16, 0);
    if (read > 0 && (read < 16 || !header.equals(SQLITE_HEADER))) {
      throw new DatabaseError(`${file} is not a SQLite database (corrupt or foreign file); it was left untouched. Move it aside or restore a backup.`);
    }
  } finally {
    fs.closeSync(fd);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    if (problems.length) throw new DatabaseError(`${file} failed its integrity check: ${problems.slice(0, 3).join('; ')}. It was left untouched.`);
  } catch (err) {
    if (err instanceof DatabaseError) throw err;
    throw new DatabaseError(`${file} cannot be read as a SQLite database (${(err as Error).message}); it was left untouched.`);
  } finally {
    db?.close();
  }
}

/**
 * Creates the learning database if missing and applies pending committed migrations, recording
 * them in Prisma's `_prisma_migrations` table so `prisma migrate status/deploy` agree with us.
 */
export function migrateLearningDatabase(file: string, migrationsDir = MIGRATIONS_DIR): MigrationReport {
  const created = !fs.existsSync(file);
  if (!created) assertSqliteFile(file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // many workers may start at once: wait for another migrator rather than fail. The busy timeout
  // covers the write lock; SQLite answers "locked" at once, without waiting, in a few places (turning
  // a new file to WAL while another process reads it), so such an attempt, which committed nothing,
  // is made again until the same deadline.
  const deadline = Date.now() + MIGRATION_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return migrateOnce(file, created, migrationsDir);
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY') && Date.now() < deadline) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      if (err instanceof DatabaseError) throw err;
      throw new DatabaseError(`Migrating ${file} failed: ${(err as Error).message}`, { cause: err });
    }
  }
}

function migrateOnce(file: string, created: boolean, migrationsDir: string): MigrationReport {
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${MIGRATION_BUSY_TIMEOUT_MS}`);
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
    // BEGIN IMMEDIATE takes the write lock before reading what is applied, so one process migrates
    // and the others, once it commits, find nothing left to do
    return db.transaction(() => applyPending(db, file, created, migrationsDir)).immediate();
  } finally {
    db.close();
  }
}

/** How long a migrator waits for another one holding the database's write lock. */
const MIGRATION_BUSY_TIMEOUT_MS = 60_000;

function applyPending(db: Database.Database, file: string, created: boolean, migrationsDir: string): MigrationReport {
  db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
  const done = new Set(
    (db.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL').all() as Array<{
      migration_name: string;
    }>).map((r) => r.migration_name),
  );
  const migrations = listMigrations(migrationsDir);
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    const checksum = createHash('sha256').update(m.sql).digest('hex');
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare(
        `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES (?, ?, ?, ?, ?, 1)`,
      ).run(randomUUID(), checksum, Date.now(), m.name, Date.now());
    })();
    applied.push(m.name);
  }
  return { file, created, applied, total: migrations.length };
}

/** Names of committed migrations not yet applied to the database (for `health`). */
export function pendingMigrations(file: string, migrationsDir = MIGRATIONS_DIR): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='_prisma_migrations'").get();
    const done = new Set(
      hasTable
        ? (db.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL').all() as Array<{
            migration_name: string;
          }>).map((r) => r.migration_name)
        : [],
    );
    return listMigrations(migrationsDir)
      .map((m) => m.name)
      .filter((n) => !done.has(n));
  } finally {
    db.close();
  }
}

/** The migrations still to apply, or a DatabaseError telling the user how to apply them. */
function requireMigrated(file: string): void {
  const pending = pendingMigrations(file);
  if (pending.length) {
    throw new DatabaseError(
      `${file} needs ${pending.length} migration(s) this QuantCoder version brings (${pending.join(', ')}); run \`quantcoder db migrate\` (or start a worker, which migrates it).`,
    );
  }
}

/**
 * Opens the learning database for reading and writing. It must exist and carry every committed
 * migration: `migrateLearningDatabase` is the one step that changes its schema (the worker runs it
 * at start, `quantcoder db migrate` on request).
 */
export function openLearningDatabase(file: string): PrismaClient {
  if (!fs.existsSync(file)) throw new DatabaseError(`No learning database at ${file}; run \`quantcoder db migrate\` to create it.`);
  requireMigrated(file);
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}`, timeout: 5000 }) });
}

/**
 * Opens the learning database for reading only: no migration, no write, the file opened read-only.
 * `null` when the database does not exist yet (nothing has been learned).
 */
export function openLearningDatabaseReadOnly(file: string): PrismaClient | null {
  if (!fs.existsSync(file)) return null;
  requireMigrated(file);
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}`, readonly: true, fileMustExist: true, timeout: 5000 }) });
}

/** Runs `read` on the learning database opened read-only, closing it after; `empty` when there is no database yet. */
export async function readLearningDatabase<T>(file: string, empty: T, read: (prisma: PrismaClient) => Promise<T>): Promise<T> {
  const prisma = openLearningDatabaseReadOnly(file);
  if (!prisma) return empty;
  try {
    return await read(prisma);
  } finally {
    await prisma.$disconnect();
  }
}
