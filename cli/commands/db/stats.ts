import fs from 'node:fs';
import Database from 'better-sqlite3';
import { BaseCommand } from '../../base';
import { table } from '../../format';
import { DatabaseError } from '../../../domain/errors';
import { assertSqliteFile, pendingMigrations } from '../../../store/database';
import { isPostgresStore, learningStoreLocation } from '../../../store/open';
import { postgresMigrationState, postgresStats, redactUrl } from '../../../store/postgres';
import { formatBytes } from '../../format';

export interface DatabaseStats {
  /** the SQLite file, or the PostgreSQL URL without its password */
  database: string;
  engine: 'sqlite' | 'postgresql';
  /** the file's size, or PostgreSQL's pg_database_size */
  bytes: number;
  /** SQLite's write-ahead log beside the file (0 on PostgreSQL, whose WAL is the server's) */
  walBytes: number;
  tables: Record<string, number>;
  migrations: { applied: string[]; pending: string[] };
}

export default class DbStats extends BaseCommand<typeof DbStats> {
  static override summary = 'Show the learning database\'s size, rows per table, and migrations applied and pending.';
  static override description =
    'Read-only: safe while workers run. Pending migrations are applied by `quantcoder db migrate`. On SQLite: the file\'s ' +
    'size and its write-ahead log\'s. On PostgreSQL (QUANTCODER_DATABASE_URL): the database\'s size as pg_database_size ' +
    'reports it, and an exact count(*) of every table of the current schema.';
  static override examples = [
    '<%= config.bin %> db stats',
    '<%= config.bin %> db stats --json | jq .tables.Article',
    'QUANTCODER_DATABASE_URL=postgresql://quantcoder@db.internal:5432/quantcoder <%= config.bin %> db stats',
  ];

  async run(): Promise<DatabaseStats> {
    const store = learningStoreLocation(this.settings);
    const stats = isPostgresStore(store) ? await this.postgres(store.url) : this.sqlite(store.file);
    if (!this.jsonEnabled()) {
      const { database, bytes, walBytes, tables, migrations } = stats;
      const { applied, pending } = migrations;
      this.log(`${database}: ${formatBytes(bytes)}${walBytes ? ` (+ ${formatBytes(walBytes)} write-ahead log)` : ''}`);
      this.log(`Migrations: ${applied.length} applied${pending.length ? `, ${pending.length} PENDING (${pending.join(', ')}): run \`quantcoder db migrate\`` : ', none pending'}\n`);
      this.log(table(Object.entries(tables).map(([t, rows]) => ({ t, rows })), [{ key: 't', header: 'Table' }, { key: 'rows', header: 'Rows' }]));
    }
    return stats;
  }

  private async postgres(url: string): Promise<DatabaseStats> {
    const { applied, pending } = await postgresMigrationState(url);
    const migrations = { applied, pending };
    const { bytes, tables } = await postgresStats(url);
    return { database: redactUrl(url), engine: 'postgresql', bytes, walBytes: 0, tables, migrations };
  }

  private sqlite(database: string): DatabaseStats {
    if (!fs.existsSync(database)) throw new DatabaseError(`${database} does not exist (create it with \`quantcoder db migrate\`).`);
    assertSqliteFile(database);
    const db = new Database(database, { readonly: true, fileMustExist: true });
    const tables: Record<string, number> = {};
    let applied: string[] = [];
    try {
      const names = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name").all() as Array<{ name: string }>
      ).map((r) => r.name);
      for (const name of names) tables[name] = (db.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n;
      const hasMigrations = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
      if (hasMigrations) {
        applied = (
          db.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name').all() as Array<{
            migration_name: string;
          }>
        ).map((r) => r.migration_name);
      }
    } finally {
      db.close();
    }
    const pending = pendingMigrations(database);
    const bytes = fs.statSync(database).size;
    const walBytes = fs.existsSync(`${database}-wal`) ? fs.statSync(`${database}-wal`).size : 0;
    return { database, engine: 'sqlite', bytes, walBytes, tables, migrations: { applied, pending } };
  }
}
