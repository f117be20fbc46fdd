import fs from 'node:fs';
import Database from 'better-sqlite3';
import { BaseCommand } from '../../base';
import { DatabaseError } from '../../../domain/errors';
import { assertSqliteFile } from '../../../store/database';
import { formatBytes } from '../../format';

/** The database's size on disk, write-ahead log included. */
function sizeOnDisk(file: string): number {
  return [file, `${file}-wal`].reduce((sum, f) => sum + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
}

export default class DbVacuum extends BaseCommand<typeof DbVacuum> {
  static override summary = 'Compact the learning database (SQLite VACUUM) and report the space freed.';
  static override description =
    'Rewrites the database without its free pages, then truncates the write-ahead log. Safe while workers run: ' +
    'writers wait (up to 30 s) while it runs. A corrupt file is reported and left untouched; back up first with `db backup`.';
  static override examples = ['<%= config.bin %> db vacuum', '<%= config.bin %> db vacuum --json | jq .freedBytes'];

  async run(): Promise<{ database: string; beforeBytes: number; afterBytes: number; freedBytes: number }> {
    const { database } = this.settings.layout;
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
