import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { openLearningStore, type LearningStoreLocation } from '../../store/open';
import { POSTGRES_MIGRATIONS_DIR } from '../../store/postgres';
import { recordAttempt, recordBacktest } from '../../store/records';
import { recordSearch } from '../../store/searches';
import { testPaper } from '../helpers/papers';
import { runCli, tempHome } from '../helpers/cli';
import { freshPostgresDatabase, postgresSkipReason } from '../helpers/postgres';

const paper = (i: number) => testPaper(i, 'cmd');

/** What a pipeline run leaves in the learning store: a search, a repaired algorithm, the fix it taught, a backtest. */
async function learnSomething(location: LearningStoreLocation): Promise<void> {
  const prisma = await openLearningStore(location);
  try {
    await recordSearch(prisma, { workflowId: 'search-cmd-1', query: 'momentum', source: 'crossref', papers: [paper(1), paper(2)] });
    const problem = { kind: 'compile' as const, message: "name 'SimpleMovingAverage' is not defined" };
    const broken = { runId: 'run-cmd', articleKey: 'a1', attempt: 1, code: 'x = SimpleMovingAverage(20)\n', codeHash: 'h1', family: 'momentum', compiled: false, problem, previous: null };
    await recordAttempt(prisma, broken);
    await recordAttempt(prisma, { ...broken, attempt: 2, code: 'x = self.sma("SPY", 20)\n', codeHash: 'h2', compiled: true, problem: null, previous: { code: broken.code, problem } });
    await recordBacktest(prisma, { runId: 'run-cmd', codeHash: 'h2', family: 'momentum', statistics: null, error: 'Runtime Error: division by zero' });
  } finally {
    await prisma.$disconnect();
  }
}

/** stderr with oclif's line wrapping undone */
const flat = (s: string) => s.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ');

const json = <T>(res: { code: number | null; stdout: string; stderr: string }): T => {
  if (res.code !== 0) throw new Error(`exit ${res.code}: ${res.stderr}`);
  return JSON.parse(res.stdout) as T;
};

const skip = postgresSkipReason();
if (skip) console.log(`learning-store commands on PostgreSQL: skipped: ${skip}`);

(skip ? describe.skip : describe)('learning-store commands on PostgreSQL (QUANTCODER_DATABASE_URL)', () => {
  let home: string;
  let url: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    // the home holds no learning.db: whatever a command reports comes from PostgreSQL
    home = tempHome();
    url = await freshPostgresDatabase('cmd');
    env = { QUANTCODER_HOME: home, QUANTCODER_DATABASE_URL: url };
    await learnSomething({ url, file: path.join(home, 'learning.db') });
  });
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('learn errors, fixes and stats read what the workers wrote there', async () => {
    const errors = json<{ total: number; signatures: Array<{ kind: string; count: number; fixed: number }> }>(await runCli(['learn', 'errors', '--json'], env));
    expect(errors.total).toBe(1);
    expect(errors.signatures).toEqual([expect.objectContaining({ kind: 'compile', count: 1, fixed: 1 })]);

    const fixes = json<{ total: number; fixes: Array<{ successes: number; diff: string }> }>(await runCli(['learn', 'fixes', '--json'], env));
    expect(fixes.fixes).toEqual([expect.objectContaining({ successes: 1, diff: expect.stringContaining('self.sma') })]);

    const stats = json<{ database: string; counts: Record<string, number>; families: Array<{ family: string; compiled: number }> }>(await runCli(['learn', 'stats', '--json'], env));
    expect(stats.counts).toMatchObject({ articles: 2, algorithms: 2, errors: 1, fixes: 1, backtests: 1 });
    expect(stats.families).toEqual([expect.objectContaining({ family: 'momentum', compiled: 1 })]);
    expect(stats.database).toMatch(/^postgresql:\/\//);
    expect(fs.existsSync(path.join(home, 'learning.db'))).toBe(false);
  });

  it('db stats counts rows with SQL and sizes the database with pg_database_size', async () => {
    const stats = json<{ engine: string; bytes: number; walBytes: number; tables: Record<string, number>; migrations: { applied: string[]; pending: string[] } }>(
      await runCli(['db', 'stats', '--json'], env),
    );
    expect(stats.engine).toBe('postgresql');
    expect(stats.tables).toMatchObject({ Article: 2, Search: 1, SearchResult: 2, Algorithm: 2, ErrorRecord: 1, Fix: 1, Backtest: 1 });
    expect(stats.tables).not.toHaveProperty('_prisma_migrations');
    const committed = fs.readdirSync(POSTGRES_MIGRATIONS_DIR).filter((d) => fs.existsSync(path.join(POSTGRES_MIGRATIONS_DIR, d, 'migration.sql'))).sort();
    expect(stats.migrations).toEqual({ applied: committed, pending: [] });
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const size = Number((await client.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b')).rows[0]!.b);
      // the database's size as the server reports it (give or take a page written since)
      expect(Math.abs(stats.bytes - size)).toBeLessThan(1024 * 1024);
    } finally {
      await client.end();
    }
    const text = await runCli(['db', 'stats'], env);
    expect(text.stdout).toMatch(/^Article\s+2$/m);
    expect(text.stdout).toMatch(/none pending/);
  });

  it('db stats names the pending migration of a database that lags behind', async () => {
    const lagging = await freshPostgresDatabase('lag');
    const h = tempHome();
    try {
      await learnSomething({ url: lagging, file: path.join(h, 'learning.db') });
      const client = new Client({ connectionString: lagging });
      await client.connect();
      const latest = (await client.query<{ m: string }>('SELECT max(migration_name) AS m FROM "_prisma_migrations"')).rows[0]!.m;
      await client.query('DELETE FROM "_prisma_migrations" WHERE migration_name = $1', [latest]);
      await client.end();
      const res = await runCli(['db', 'stats'], { QUANTCODER_HOME: h, QUANTCODER_DATABASE_URL: lagging });
      expect(res.stdout).toContain(`1 PENDING (${latest}): run \`quantcoder db migrate\``);
      // the learning reports refuse to read a store older than this version, naming the fix
      const learn = await runCli(['learn', 'stats'], { QUANTCODER_HOME: h, QUANTCODER_DATABASE_URL: lagging });
      expect(learn.code).toBe(1);
      expect(flat(learn.stderr)).toMatch(/needs 1 migration\(s\).*quantcoder db migrate/);
    } finally {
      fs.rmSync(h, { recursive: true, force: true });
    }
  });

  it('db vacuum runs VACUUM ANALYZE and keeps every row', async () => {
    const out = json<{ database: string; beforeBytes: number; afterBytes: number }>(await runCli(['db', 'vacuum', '--json'], env));
    expect(out.database).toMatch(/^postgresql:\/\//);
    expect(out.beforeBytes).toBeGreaterThan(0);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      // ANALYZE ran: the planner's statistics of the tables are fresh
      const analyzed = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_user_tables WHERE relname = 'Article' AND last_analyze IS NOT NULL AND last_vacuum IS NOT NULL`);
      expect(Number(analyzed.rows[0]!.n)).toBe(1);
      expect(Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM "Article"')).rows[0]!.n)).toBe(2);
    } finally {
      await client.end();
    }
  });

  it('db backup writes a pg_dump archive pg_restore reads, and says what is missing without pg_dump', async () => {
    const output = path.join(home, 'pg-backup.dump');
    const out = json<{ output: string; bytes: number }>(await runCli(['db', 'backup', '--output', output, '--json'], env));
    expect(out.output).toBe(output);
    expect(fs.readFileSync(output).subarray(0, 5).toString('latin1')).toBe('PGDMP');
    expect(out.bytes).toBe(fs.statSync(output).size);

    // no PostgreSQL client programs on PATH: a clear error, and no partial file left behind
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-nopath-'));
    try {
      const res = await runCli(['db', 'backup', '--output', path.join(home, 'none.dump')], { ...env, PATH: empty });
      expect(res.code).toBe(1);
      expect(flat(res.stderr)).toMatch(/pg_dump is not on PATH.*postgresql-client/);
      expect(fs.readdirSync(home).filter((f) => f.startsWith('none.dump'))).toEqual([]);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('learning-store commands on SQLite', () => {
  it('learn stats and db stats read $QUANTCODER_HOME/learning.db when no URL is set', async () => {
    const home = tempHome();
    try {
      await learnSomething({ file: path.join(home, 'learning.db') });
      const stats = json<{ database: string; counts: Record<string, number> }>(await runCli(['learn', 'stats', '--json'], { QUANTCODER_HOME: home, QUANTCODER_DATABASE_URL: '' }));
      expect(stats.counts).toMatchObject({ articles: 2, algorithms: 2, errors: 1, fixes: 1, backtests: 1 });
      expect(stats.database).toBe(path.join(home, 'learning.db'));
      const db = json<{ engine: string; tables: Record<string, number> }>(await runCli(['db', 'stats', '--json'], { QUANTCODER_HOME: home, QUANTCODER_DATABASE_URL: '' }));
      expect(db.engine).toBe('sqlite');
      expect(db.tables).toMatchObject({ Article: 2, Algorithm: 2, ErrorRecord: 1, Fix: 1, Backtest: 1 });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
