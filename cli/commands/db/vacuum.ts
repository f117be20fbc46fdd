import fs from 'node:fs';
import Database from 'better-sqlite3';
import { BaseCommand } from '../../base';
import { DatabaseError } from '../../../domain/errors';
import { assertSqliteFile } from '../../../store/database';
import { isPostgresStore, learningStoreLocation } from '../../../store/open';
import { redactUrl, vacuumPostgres } from '../../../store/postgres';
import { formatBytes } from '../../format';

/** The database's size on disk, write-ahead log included. */
function sizeOnDisk(file: string): number {
  return [file, `${file}-wal`].reduce((sum, f) => sum + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
}

export default class DbVacuum extends BaseCommand<typeof DbVacuum> {
  static override summary = 'Compact the learning database (SQLite VACUUM; PostgreSQL VACUUM ANALYZE) and report the space freed.';
  static override description =
    'SQLite: rewrites the database without its free pages, then truncates the write-ahead log. Safe while workers run: ' +
    'writers wait (up to 30 s) while it runs. A corrupt file is reported and left untouched; back up first with `db backup`.\n\n' +
    'PostgreSQL (QUANTCODER_DATABASE_URL): runs VACUUM ANALYZE on the database, which makes dead rows\' space reusable ' +
    'and refreshes the planner\'s statistics without blocking the workers. It rarely shrinks the database on disk (the ' +
    'space stays with PostgreSQL for new rows); VACUUM FULL, which does, locks every table while it runs and is left ' +
    'to the operator. Sizes are pg_database_size before and after.';
  static override examples = ['<%= config.bin %> db vacuum', '<%= config.bin %> db vacuum --json | jq .freedBytes'];

  async run(): Promise<{ database: string; beforeBytes: number; afterBytes: number; freedBytes: number }> {
    const store = learningStoreLocation(this.settings);
    if (isPostgresStore(store)) {
      const database = redactUrl(store.url);
      const { beforeBytes, afterBytes } = await vacuumPostgres(store.url);
      const freedBytes = Math.max(0, beforeBytes - afterBytes);
      this.log(`Vacuumed and analyzed ${database}: ${formatBytes(beforeBytes)} → ${formatBytes(afterBytes)}.`);
      return { database, beforeBytes, afterBytes, freedBytes };
    }
    const database = store.file;
    if (!fs.existsSync(database)) throw new DatabaseError(`${database} does not exist (create it with \`quantcoder db migrate\`).`);
    assertSqliteFile(database);
    const beforeBytes = sizeOnDisk(database);
    const db = new Database(database, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 30000');
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      throw new DatabaseError(`Vacuuming ${database} failed: ${(err as Error).message}`, { cause: err });
    } finally {
      db.close();
    }
    const afterBytes = sizeOnDisk(database);
    const freedBytes = Math.max(0, beforeBytes - afterBytes);
    this.log(`Vacuumed ${database}: ${formatBytes(beforeBytes)} → ${formatBytes(afterBytes)} (freed ${formatBytes(freedBytes)}).`);
    return { database, beforeBytes, afterBytes, freedBytes };
  }
}
