import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrateLearningDatabase, MIGRATIONS_DIR } from '../../store/database';
import { BIN, runCli, tempHome } from '../helpers/cli';

function migratedHome(): { home: string; db: string } {
  const home = tempHome();
  const db = path.join(home, 'learning.db');
  migrateLearningDatabase(db);
  return { home, db };
}

function addArticle(db: Database.Database, externalId: string): number {
  return Number(
    db
      .prepare("INSERT INTO Article (source, externalId, title, authors, updatedAt) VALUES ('crossref', ?, ?, '[]', CURRENT_TIMESTAMP)")
      .run(externalId, `Paper ${externalId}`).lastInsertRowid,
  );
}

function addSearch(db: Database.Database, workflowId: string, articleIds: number[]): void {
  const searchId = db.prepare("INSERT INTO Search (workflowId, query, source) VALUES (?, 'momentum', 'crossref')").run(workflowId).lastInsertRowid;
  articleIds.forEach((articleId, i) => db.prepare('INSERT INTO SearchResult (searchId, n, articleId) VALUES (?, ?, ?)').run(searchId, i + 1, articleId));
}

function count(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** oclif wraps error messages across lines prefixed with ›; tests read them as one line. */
const flat = (text: string) => text.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ');

const committedMigrations = () => fs.readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('quantcoder db stats / backup / vacuum', () => {
  const homes: string[] = [];
  afterAll(() => homes.forEach((h) => fs.rmSync(h, { recursive: true, force: true })));

  it('stats shows rows per table and the migrations applied and pending', async () => {
    const { home, db } = migratedHome();
    homes.push(home);
    const sqlite = new Database(db);
    addSearch(sqlite, 'search-a', [addArticle(sqlite, '10.1/a'), addArticle(sqlite, '10.1/b')]);
    sqlite.close();
    const res = await runCli(['db', 'stats', '--json'], { QUANTCODER_HOME: home });
    expect(res.code).toBe(0);
    const stats = JSON.parse(res.stdout) as { bytes: number; tables: Record<string, number>; migrations: { applied: string[]; pending: string[] } };
    expect(stats.tables).toMatchObject({ Article: 2, Search: 1, SearchResult: 2 });
    expect(stats.tables).not.toHaveProperty('_prisma_migrations');
    expect(stats.migrations).toEqual({ applied: committedMigrations(), pending: [] });
    expect(stats.bytes).toBe(fs.statSync(db).size);

    const text = await runCli(['db', 'stats'], { QUANTCODER_HOME: home });
    expect(text.stdout).toMatch(/^Article\s+2$/m);
    expect(text.stdout).toMatch(/none pending/);
  });

  it('stats names the pending migration and the command that applies it', async () => {
    const { home, db } = migratedHome();
    homes.push(home);
    const latest = committedMigrations().at(-1)!;
    const sqlite = new Database(db);
    sqlite.prepare('DELETE FROM _prisma_migrations WHERE migration_name = ?').run(latest);
    sqlite.close();
    const res = await runCli(['db', 'stats'], { QUANTCODER_HOME: home });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`1 PENDING (${latest}): run \`quantcoder db migrate\``);
  });

  it('refuses to work on a missing database, saying how to create it', async () => {
    const home = tempHome();
    homes.push(home);
    for (const cmd of [['db', 'stats'], ['db', 'backup'], ['db', 'vacuum']]) {
      const res = await runCli(cmd, { QUANTCODER_HOME: home });
      expect(res.code).toBe(1);
      expect(flat(res.stderr)).toMatch(/learning\.db does not exist.*quantcoder db migrate/s);
    }
    expect(fs.existsSync(path.join(home, 'learning.db'))).toBe(false);
  });

  it('backs up a consistent snapshot while a writer holds an open transaction, and never overwrites silently', async () => {
    const { home, db } = migratedHome();
    homes.push(home);
    const writer = new Database(db);
    writer.pragma('journal_mode = WAL');
    addArticle(writer, '10.1/committed');
    writer.exec('BEGIN IMMEDIATE');
    addArticle(writer, '10.1/uncommitted');
    try {
      const output = path.join(home, 'snapshots', 'learning-copy.db');
      const res = await runCli(['db', 'backup', '--output', output, '--json'], { QUANTCODER_HOME: home });
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({ database: db, output, bytes: fs.statSync(output).size });
      const copy = new Database(output, { readonly: true });
      expect(copy.prepare('SELECT externalId FROM Article').all()).toEqual([{ externalId: '10.1/committed' }]);
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      copy.close();

      const again = await runCli(['db', 'backup', '--output', output], { QUANTCODER_HOME: home });
      expect(again.code).toBe(1);
      expect(flat(again.stderr)).toMatch(/already exists; choose another --output or add --force/);
    } finally {
      writer.exec('COMMIT');
      writer.close();
    }

    // the default destination is $QUANTCODER_HOME/backups, one file per run
    const [first, second] = [await runCli(['db', 'backup'], { QUANTCODER_HOME: home }), await runCli(['db', 'backup'], { QUANTCODER_HOME: home })];
    expect([first.code, second.code]).toEqual([0, 0]);
    const backups = fs.readdirSync(path.join(home, 'backups')).sort();
    expect(backups).toEqual([expect.stringMatching(/^learning-\d{8}T\d{6}Z(-1)?\.db$/), expect.stringMatching(/^learning-\d{8}T\d{6}Z(-1)?\.db$/)]);
    for (const b of backups) expect(count(path.join(home, 'backups', b), 'Article')).toBe(2);
  });

  it('vacuum gives back the space of deleted rows and keeps the rest', async () => {
    const { home, db } = migratedHome();
    homes.push(home);
    const sqlite = new Database(db);
    const insert = sqlite.prepare("INSERT INTO Article (source, externalId, title, authors, abstract, updatedAt) VALUES ('crossref', ?, 't', '[]', ?, CURRENT_TIMESTAMP)");
    sqlite.transaction(() => {
      for (let i = 0; i < 400; i++) insert.run(`10.9/${i}`, 'x'.repeat(4000));
    })();
    sqlite.exec("DELETE FROM Article WHERE externalId <> '10.9/0'");
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.close();
    const before = fs.statSync(db).size;
    const res = await runCli(['db', 'vacuum', '--json'], { QUANTCODER_HOME: home });
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { beforeBytes: number; afterBytes: number; freedBytes: number };
    const after = fs.statSync(db).size;
    expect(after).toBeLessThan(before / 4);
    expect(out.afterBytes).toBe(after);
    expect(out.freedBytes).toBe(out.beforeBytes - out.afterBytes);
    expect(count(db, 'Article')).toBe(1);
  });
});

describe('quantcoder cache clear', () => {
  const homes: string[] = [];
  afterAll(() => homes.forEach((h) => fs.rmSync(h, { recursive: true, force: true })));

  function homeWithCaches(): { home: string; db: string; keptArticle: number } {
    const { home, db } = migratedHome();
    homes.push(home);
    fs.mkdirSync(path.join(home, 'downloads', 'crossref'), { recursive: true });
    fs.writeFileSync(path.join(home, 'downloads', 'crossref', 'paper.pdf'), '%PDF-1.7 fake');
    fs.writeFileSync(path.join(home, 'downloads', 'other.pdf'), '%PDF-1.7 fake');
    fs.mkdirSync(path.join(home, 'generated'), { recursive: true });
    fs.writeFileSync(path.join(home, 'generated', 'main.py'), 'class Algo: pass\n');
    const sqlite = new Database(db);
    const keptArticle = addArticle(sqlite, '10.1/summarised');
    addSearch(sqlite, 'search-1', [keptArticle, addArticle(sqlite, '10.1/only-found')]);
    sqlite
      .prepare("INSERT INTO Summary (articleId, runId, spec, provider, model) VALUES (?, 'pipeline-x', '{}', 'openai', 'gpt-4o')")
      .run(keptArticle);
    sqlite.close();
    return { home, db, keptArticle };
  }

  it('refuses without --yes when not run from a terminal, and deletes nothing', async () => {
    const { home, db } = homeWithCaches();
    const res = await runCli(['cache', 'clear', '--all'], { QUANTCODER_HOME: home });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/downloads: 2 file\(s\)/);
    expect(flat(res.stderr)).toMatch(/Refusing to delete without confirmation: not running in a terminal\. Re-run with --yes/);
    expect(fs.readdirSync(path.join(home, 'downloads'))).toHaveLength(2);
    expect(count(db, 'Search')).toBe(1);
  });

  // util-linux `script` gives the command a terminal, so the confirmation prompt is what a user sees
  const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
  (hasScript ? it : it.skip)('asks for confirmation in a terminal: "n" keeps everything, "y" deletes', () => {
    const { home } = homeWithCaches();
    const answer = (reply: string) =>
      spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} cache clear --generated`, '/dev/null'], {
        input: `${reply}\n`,
        env: { ...process.env, QUANTCODER_HOME: home },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const no = answer('n');
    expect(no.stdout).toMatch(/Delete these\? \[y\/N\]/);
    expect(no.stdout).toMatch(/Cancelled: nothing was deleted/);
    expect(no.status).toBe(1);
    expect(fs.readdirSync(path.join(home, 'generated'))).toEqual(['main.py']);
    const yes = answer('y');
    expect(yes.status).toBe(0);
    expect(fs.readdirSync(path.join(home, 'generated'))).toEqual([]);
  });

  it('clears only what was asked: --downloads leaves generated code and the database alone', async () => {
    const { home, db } = homeWithCaches();
    const res = await runCli(['cache', 'clear', '--downloads', '--yes', '--json'], { QUANTCODER_HOME: home });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ cleared: [{ what: 'downloads', files: 2, bytes: 26 }] });
    expect(fs.readdirSync(path.join(home, 'downloads'))).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'generated'))).toEqual(['main.py']);
    expect(count(db, 'Article')).toBe(2);
  });

  it('--articles deletes searches and the papers only they refer to, keeping papers that learned data uses', async () => {
    const { home, db, keptArticle } = homeWithCaches();
    const res = await runCli(['cache', 'clear', '--articles', '--yes'], { QUANTCODER_HOME: home });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/1 search\(es\) and 1 paper\(s\).*\(1 paper\(s\) kept: learned data refers to them\)/);
    expect(count(db, 'Search')).toBe(0);
    expect(count(db, 'SearchResult')).toBe(0);
    const sqlite = new Database(db, { readonly: true });
    expect(sqlite.prepare('SELECT id FROM Article').all()).toEqual([{ id: keptArticle }]);
    sqlite.close();
    expect(count(db, 'Summary')).toBe(1);
    expect(fs.readdirSync(path.join(home, 'downloads'))).toHaveLength(2);
  });

  it('refuses to delete through a symlink that leads outside QUANTCODER_HOME', async () => {
    const home = tempHome();
    homes.push(home);
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-outside-'));
    homes.push(outside);
    fs.writeFileSync(path.join(outside, 'precious.pdf'), 'do not delete');
    fs.symlinkSync(outside, path.join(home, 'downloads'));
    const res = await runCli(['cache', 'clear', '--downloads', '--yes'], { QUANTCODER_HOME: home });
    expect(res.code).toBe(1);
    expect(flat(res.stderr)).toMatch(/Refusing to delete .*downloads: it resolves to .*outside QUANTCODER_HOME/);
    expect(fs.readFileSync(path.join(outside, 'precious.pdf'), 'utf8')).toBe('do not delete');
  });

  it('asks what to clear when given nothing to clear, and says so when the caches are empty', async () => {
    const home = tempHome();
    homes.push(home);
    const none = await runCli(['cache', 'clear', '--yes'], { QUANTCODER_HOME: home });
    expect(none.code).toBe(1);
    expect(flat(none.stderr)).toMatch(/Say what to clear: --downloads, --generated, --articles/);
    const empty = await runCli(['cache', 'clear', '--all'], { QUANTCODER_HOME: home });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/Nothing to clear/);
  });
});
