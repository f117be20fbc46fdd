import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { DatabaseError } from '../../../domain/errors';
import { assertSqliteFile } from '../../../store/database';
import { formatBytes } from '../../format';
import { isPostgresStore, learningStoreLocation } from '../../../store/open';
import { dumpPostgres, redactUrl } from '../../../store/postgres';

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

function freeName(dir: string, base: string, extension = '.db'): string {
  for (let i = 0; ; i++) {
    const candidate = path.join(dir, `${base}${i ? `-${i}` : ''}${extension}`);
    if (!fs.existsSync(candidate)) return candidate;
  }
}

export default class DbBackup extends BaseCommand<typeof DbBackup> {
  static override summary = 'Back up the learning database, consistently, while workers keep writing to it.';
  static override description =
    'Uses SQLite\'s online backup API, so the copy is a consistent snapshot even while workers write (copying the file ' +
    'with `cp` is not: it can catch a half-written page or miss the write-ahead log). The copy is then integrity-checked. ' +
    'Default destination: $QUANTCODER_HOME/backups/learning-<UTC time>.db. Restore by stopping the workers and copying ' +
    'the backup over learning.db.\n\n' +
    'PostgreSQL (QUANTCODER_DATABASE_URL): runs `pg_dump --format=custom` (a consistent snapshot while workers write), ' +
    'which must be on PATH with the server\'s major version or newer (Debian: postgresql-client); without it the command ' +
    'fails saying so. The archive is checked with `pg_restore --list`. Default destination: ' +
    '$QUANTCODER_HOME/backups/learning-<UTC time>.dump. Restore with `pg_restore --clean --if-exists --dbname <url> <file>` ' +
    'while the workers are stopped.';
  static override examples = [
    '<%= config.bin %> db backup',
    '<%= config.bin %> db backup --output /srv/backups/quantcoder.db',
    '<%= config.bin %> db backup --output /srv/backups/ --json | jq -r .output',
  ];
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Backup file, or an existing directory to put it in.' }),
    force: Flags.boolean({ summary: 'Overwrite the output file if it exists.', default: false }),
  };

  async run(): Promise<{ database: string; output: string; bytes: number }> {
    const store = learningStoreLocation(this.settings);
    if (isPostgresStore(store)) return this.postgres(store.url);
    const { database } = this.settings.layout;
    if (!fs.existsSync(database)) throw new DatabaseError(`${database} does not exist: nothing to back up (create it with \`quantcoder db migrate\`).`);
    const output = this.outputFile('.db', database);
    const tmp = `${output}.${process.pid}.partial`;
    const db = new Database(database, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      await db.backup(tmp);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw new DatabaseError(`Backing up ${database} failed: ${(err as Error).message}`, { cause: err });
    } finally {
      db.close();
    }
    // A backup is one self-contained file: no write-ahead log beside it.
    const copy = new Database(tmp, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    assertSqliteFile(tmp);
    for (const f of [`${tmp}-wal`, `${tmp}-shm`]) fs.rmSync(f, { force: true });
    fs.renameSync(tmp, output);
    const bytes = fs.statSync(output).size;
    this.log(`Backed up ${database} to ${output} (${formatBytes(bytes)}, integrity check ok).`);
    return { database, output, bytes };
  }

  /** The backup's path: --output (a file, or a directory to put a timestamped file in), else one in $QUANTCODER_HOME/backups. */
  private outputFile(extension: string, database: string): string {
    let output = this.flags.output ? path.resolve(this.flags.output) : this.settings.layout.backups;
    // A default (timestamped) name never collides with an earlier backup; an explicit file name may.
    if (!this.flags.output || (fs.existsSync(output) && fs.statSync(output).isDirectory())) output = freeName(output, `learning-${timestamp()}`, extension);
    if (database && path.resolve(output) === path.resolve(database)) throw new UserError('The backup cannot overwrite the database itself.');
    if (fs.existsSync(output) && !this.flags.force) throw new UserError(`${output} already exists; choose another --output or add --force.`);
    fs.mkdirSync(path.dirname(output), { recursive: true });
    return output;
  }

  private async postgres(url: string): Promise<{ database: string; output: string; bytes: number }> {
    const database = redactUrl(url);
    const output = this.outputFile('.dump', '');
    const tmp = `${output}.${process.pid}.partial`;
    try {
      await dumpPostgres(url, tmp);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    fs.renameSync(tmp, output);
    const bytes = fs.statSync(output).size;
    this.log(`Backed up ${database} to ${output} (${formatBytes(bytes)}, pg_dump custom format, archive readable by pg_restore).`);
    return { database, output, bytes };
  }
}
