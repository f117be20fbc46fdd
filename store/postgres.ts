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

async function appliedNames(client: Client): Promise<Set<string>> {
  const exists = await client.query(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
  if (!exists.rows[0]?.present) return new Set();
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
  const client = await connect(url);
  try {
    const done = await appliedNames(client);
    return listMigrations(migrationsDir)
      .map((m) => m.name)
      .filter((n) => !done.has(n));
  } finally {
    await client.end();
  }
}

/**
 * A Prisma client on a PostgreSQL learning database (which must be migrated). The client is generated
 * from prisma/postgres/schema.prisma, whose models are those of the SQLite schema, so the store's
 * typed reads and writes take either.
 */
export function openPostgresLearningDatabase(url: string): PrismaClient {
  // generated next to @prisma/client's own (`.prisma/client`) by `npm run prisma:generate`
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PrismaClient: PostgresPrismaClient } = require('.prisma/postgres-client') as { PrismaClient: new (o: unknown) => PrismaClient };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PrismaPg } = require('@prisma/adapter-pg') as typeof import('@prisma/adapter-pg');
  return new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}
