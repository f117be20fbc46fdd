import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Client } from 'pg';
import type { PrismaClient } from '@prisma/client';
import { DatabaseError } from '../domain/errors';
import { packageRoot } from '../config/package-root';
import { listMigrations, type MigrationReport } from './database';

/** The committed PostgreSQL migrations (same models as the SQLite ones, PostgreSQL's SQL). */
export const POSTGRES_MIGRATIONS_DIR = path.join(packageRoot(), 'prisma', 'postgres', 'migrations');

/** One advisory-lock key for QuantCoder's migrations: every migrator of one database queues on it. */
const MIGRATION_LOCK_KEY = 0x5143_4d49; // "QCMI"

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

async function connect(url: string): Promise<Client> {
  // the PostgreSQL driver loads only when a PostgreSQL store is used
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as typeof import('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new DatabaseError(`Cannot reach the learning database at ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  return client;
}

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;

async function hasMigrationsTable(client: Client): Promise<boolean> {
  const exists = await client.query<{ present: boolean }>(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
  return !!exists.rows[0]?.present;
}

async function appliedNames(client: Client): Promise<Set<string>> {
  if (!(await hasMigrationsTable(client))) return new Set();
  const rows = await client.query<{ migration_name: string }>(
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  return new Set(rows.rows.map((r) => r.migration_name));
}

/**
 * Applies pending committed migrations to a PostgreSQL learning database, recording them in Prisma's
 * `_prisma_migrations` table. Many workers may start at once: each takes a session advisory lock, so
 * one migrates while the others wait, then find nothing left to do. Each migration runs in its own
 * transaction (PostgreSQL's DDL is transactional), so a failed one leaves no half-applied schema.
 */
export async function migratePostgresLearningDatabase(url: string, migrationsDir = POSTGRES_MIGRATIONS_DIR): Promise<MigrationReport> {
  const client = await connect(url);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const done = await appliedNames(client);
      const migrations = listMigrations(migrationsDir);
      const applied: string[] = [];
      for (const m of migrations) {
        if (done.has(m.name)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
             VALUES ($1, $2, now(), $3, now(), 1)`,
            [randomUUID(), createHash('sha256').update(m.sql).digest('hex'), m.name],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new DatabaseError(`Migration ${m.name} failed on ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m.name);
      }
      return { file: redactUrl(url), created: done.size === 0 && applied.length > 0, applied, total: migrations.length };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

/** Names of committed migrations not yet applied (for `health` and `db stats`). */
export async function pendingPostgresMigrations(url: string, migrationsDir = POSTGRES_MIGRATIONS_DIR): Promise<string[]> {
  return (await postgresMigrationState(url, migrationsDir)).pending;
}

/**
 * The migrations recorded as applied (sorted) and the committed ones still pending; `migrated` is
 * false for a database no migrator ever touched (no `_prisma_migrations` table).
 */
export async function postgresMigrationState(url: string, migrationsDir = POSTGRES_MIGRATIONS_DIR): Promise<{ migrated: boolean; applied: string[]; pending: string[] }> {
  const client = await connect(url);
  try {
    const done = await appliedNames(client);
    return {
      migrated: await hasMigrationsTable(client),
      applied: [...done].sort(),
      pending: listMigrations(migrationsDir)
        .map((m) => m.name)
        .filter((n) => !done.has(n)),
    };
  } finally {
    await client.end();
  }
}

/** Runs `fn` on one connection to the database, closed after. */
export async function withPostgres<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof DatabaseError) throw err;
    throw new DatabaseError(`${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  } finally {
    await client.end();
  }
}

/** Size and rows per table of a PostgreSQL learning database (for `db stats`). */
export async function postgresStats(url: string): Promise<{ bytes: number; tables: Record<string, number> }> {
  return withPostgres(url, async (client) => {
    const names = (
      await client.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY table_name`,
      )
    ).rows.map((r) => r.name);
    const tables: Record<string, number> = {};
    for (const name of names) tables[name] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`)).rows[0]!.n);
    const size = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
    return { bytes: Number(size.rows[0]!.bytes), tables };
  });
}

/**
 * VACUUM ANALYZE of a PostgreSQL learning database: dead rows' space becomes reusable and the
 * planner's statistics are refreshed, without locking out the workers. It does not return space to
 * the operating system (VACUUM FULL would, holding an exclusive lock on every table).
 */
export async function vacuumPostgres(url: string): Promise<{ beforeBytes: number; afterBytes: number }> {
  return withPostgres(url, async (client) => {
    const size = async () => Number((await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes')).rows[0]!.bytes);
    const beforeBytes = await size();
    await client.query('VACUUM (ANALYZE)');
    return { beforeBytes, afterBytes: await size() };
  });
}

/** Runs one of PostgreSQL's client programs; a missing program is a DatabaseError saying how to install it. */
function runPgTool(program: string, args: string[], url: URL): Promise<string> {
  // the password travels in the environment, never on a command line other users can read
  const password = decodeURIComponent(url.password);
  const env = { ...process.env, ...(password ? { PGPASSWORD: password } : {}) };
  return new Promise((resolve, reject) =>
    execFile(program, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(
          new DatabaseError(
            `${program} is not on PATH: backing up a PostgreSQL learning store needs PostgreSQL's client programs, of the server's major version or newer (Debian: apt-get install postgresql-client).`,
          ),
        );
      }
      reject(new DatabaseError(`${program} failed on ${redactUrl(url.toString())}: ${(stderr || err.message).trim()}`, { cause: err }));
    }),
  );
}

/**
 * Backs up a PostgreSQL learning database with `pg_dump` (custom format, one consistent snapshot
 * while workers write), then reads the archive's table of contents back with `pg_restore --list`.
 * Restore with `pg_restore --clean --if-exists --dbname <url> <file>`.
 */
export async function dumpPostgres(url: string, file: string): Promise<void> {
  const target = new URL(url);
  const withoutPassword = new URL(url);
  withoutPassword.password = '';
  await runPgTool('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${withoutPassword.toString()}`], target);
  const contents = await runPgTool('pg_restore', ['--list', file], target);
  if (!/TABLE DATA/.test(contents)) throw new DatabaseError(`The archive pg_dump wrote of ${redactUrl(url)} holds no table data; it is not a backup of the learning store.`);
}

/**
 * A Prisma client on a PostgreSQL learning database (which must be migrated). The client is generated
 * from prisma/postgres/schema.prisma, whose models are those of the SQLite schema, so the store's
 * typed reads and writes take either.
 */
export function openPostgresLearningDatabase(url: string, options: { readOnly?: boolean } = {}): PrismaClient {
  // generated next to @prisma/client's own (`.prisma/client`) by `npm run prisma:generate`
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PrismaClient: PostgresPrismaClient } = require('.prisma/postgres-client') as { PrismaClient: new (o: unknown) => PrismaClient };
  // read-only: every transaction of the session refuses writes, as the SQLite file opened read-only does
  const pool = { connectionString: url, ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}) };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PrismaPg } = require('@prisma/adapter-pg') as typeof import('@prisma/adapter-pg');
  return new PostgresPrismaClient({ adapter: new PrismaPg(pool) });
}

/**
 * Opens a PostgreSQL learning database for reading only, without migrating it. `null` when it was
 * never migrated (nothing learned yet); a DatabaseError naming the command to run when it lags
 * behind this version's migrations.
 */
export async function openPostgresLearningDatabaseReadOnly(url: string): Promise<PrismaClient | null> {
  const { migrated, pending } = await postgresMigrationState(url);
  if (!migrated) return null;
  if (pending.length) {
    throw new DatabaseError(
      `${redactUrl(url)} needs ${pending.length} migration(s) this QuantCoder version brings (${pending.join(', ')}); run \`quantcoder db migrate\` (or start a worker, which migrates it).`,
    );
  }
  return openPostgresLearningDatabase(url, { readOnly: true });
}
