import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import Database from 'better-sqlite3';
import type { PrismaClient } from '@prisma/client';
import { MIGRATIONS_DIR } from '../../store/database';
import { learnedContext } from '../../store/knowledge';
import { POSTGRES_MIGRATIONS_DIR } from '../../store/postgres';
import { recordAttempt, recordBacktest } from '../../store/records';
import { recordSearch } from '../../store/searches';
import { migrateLearningStore, openLearningStore, type LearningStoreLocation } from '../../store/open';
import { errorSignature } from '../../domain/learning';
import { testPaper } from '../helpers/papers';
import { spawn } from 'node:child_process';
import { ROOT, runCli, until } from '../helpers/cli';
import { freshPostgresDatabase, postgresSkipReason } from '../helpers/postgres';

const migrationNames = (dir: string) => fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'migration.sql'))).sort();

const paper = (i: number) => testPaper(i);

interface Backend {
  name: string;
  skip: string | undefined;
  migrations: string[];
  /** a new, empty store */
  fresh(dir: string): Promise<LearningStoreLocation>;
  /** names recorded in the store's _prisma_migrations, one entry per row */
  recorded(location: LearningStoreLocation): Promise<string[]>;
}

const backends: Backend[] = [
  {
    name: 'SQLite',
    skip: undefined,
    migrations: migrationNames(MIGRATIONS_DIR),
    fresh: async (dir) => ({ file: path.join(dir, 'learning.db') }),
    recorded: async ({ file }) => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare('SELECT migration_name FROM _prisma_migrations ORDER BY migration_name').all() as Array<{ migration_name: string }>).map((r) => r.migration_name);
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'PostgreSQL',
    skip: postgresSkipReason(),
    migrations: migrationNames(POSTGRES_MIGRATIONS_DIR),
    fresh: async (dir) => ({ url: await freshPostgresDatabase('store'), file: path.join(dir, 'unused.db') }),
    recorded: async ({ url }) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name')).rows.map((r) => r.migration_name);
      } finally {
        await client.end();
      }
    },
  },
];

/**
 * Starts `n` processes that each migrate the same store, released together once all have loaded
 * QuantCoder (a file barrier), so their migrations really overlap.
 */
async function migrateTogether(
  location: LearningStoreLocation,
  n: number,
  dir: string,
  whileRunning: () => Promise<void> = async () => undefined,
): Promise<Array<{ ok: boolean; applied?: string[]; error?: string }>> {
  const go = path.join(dir, 'go');
  const script = `
    const fs = require('fs');
    const { migrateLearningStore } = require(${JSON.stringify(path.join(ROOT, 'dist', 'store', 'open.js'))});
    fs.writeFileSync(process.argv[1] + '.ready', '');
    while (!fs.existsSync(${JSON.stringify(go)})) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    migrateLearningStore(JSON.parse(process.argv[2])).then(
      (r) => console.log(JSON.stringify({ ok: true, applied: r.applied })),
      (e) => console.log(JSON.stringify({ ok: false, error: e.message })),
    );`;
  const children = Array.from({ length: n }, (_, i) => {
    const marker = path.join(dir, `migrator-${i}`);
    const child = spawn(process.execPath, ['-e', script, marker, JSON.stringify(location)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<{ ok: boolean; applied?: string[]; error?: string }>((resolve) =>
      child.on('close', () => resolve(out.trim() ? (JSON.parse(out.trim()) as { ok: boolean }) : { ok: false, error: 'no output' })),
    );
    return { marker, done };
  });
  await until(() => children.every((c) => fs.existsSync(`${c.marker}.ready`)), 120_000, 'every migrator to load');
  fs.writeFileSync(go, '');
  await whileRunning();
  return Promise.all(children.map((c) => c.done));
}

for (const backend of backends) {
  const suite = backend.skip ? describe.skip : describe;
  if (backend.skip) console.log(`learning store on ${backend.name}: skipped: ${backend.skip}`);

  suite(`learning store on ${backend.name}`, () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-store-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function withStore<T>(fn: (prisma: PrismaClient, location: LearningStoreLocation) => Promise<T>): Promise<T> {
      const location = await backend.fresh(dir);
      const prisma = await openLearningStore(location);
      try {
        return await fn(prisma, location);
      } finally {
        await prisma.$disconnect();
      }
    }

    it('is created with every committed migration, and migrating again applies nothing', async () => {
      const location = await backend.fresh(dir);
      const first = await migrateLearningStore(location);
      expect(first.applied).toEqual(backend.migrations);
      expect((await migrateLearningStore(location)).applied).toEqual([]);
      expect(await backend.recorded(location)).toEqual(backend.migrations);
    });

    it('stores a search idempotently: recording it twice leaves one set of rows', async () => {
      await withStore(async (prisma) => {
        const input = { workflowId: 'search-x-1', query: 'momentum', source: 'crossref', papers: [paper(1), paper(2)] };
        const first = await recordSearch(prisma, input);
        const second = await recordSearch(prisma, input);
        expect(second.searchId).toBe(first.searchId);
        expect(second.results.map((r) => r.n)).toEqual([1, 2]);
        expect(await prisma.article.count()).toBe(2);
        expect(await prisma.searchResult.count()).toBe(2);
        expect(await prisma.search.count()).toBe(1);
      });
    });

    it('learns a fix from a repaired attempt and offers it for the same error, once however often it is recorded', async () => {
      await withStore(async (prisma) => {
        const problem = { kind: 'compile' as const, message: "name 'SimpleMovingAverage' is not defined" };
        const broken = { runId: 'run-1', articleKey: 'a1', attempt: 1, code: 'x = SimpleMovingAverage(20)\n', codeHash: 'h1', family: 'momentum', compiled: false, problem, previous: null };
        const fixed = { ...broken, attempt: 2, code: 'x = self.sma("SPY", 20)\n', codeHash: 'h2', compiled: true, problem: null, previous: { code: broken.code, problem } };
        for (let i = 0; i < 2; i++) {
          await recordAttempt(prisma, broken);
          await recordAttempt(prisma, fixed);
        }
        expect(await prisma.algorithm.count()).toBe(2);
        const context = await learnedContext(prisma, { signature: errorSignature(problem.kind, problem.message) });
        expect(context.fixes).toHaveLength(1);
        expect(context.fixes[0]).toMatchObject({ successes: 1, failures: 0, diff: expect.stringContaining('self.sma') });
      });
    });

    it('gives prompts a family\'s out-of-sample results first when its programs were backtested on a holdout, and the in-sample ones beside them', async () => {
      await withStore(async (prisma) => {
        const stats = (sharpeRatio: number, drawdown: number) => ({ sharpeRatio, drawdown, compoundingAnnualReturn: 5, netProfit: 10, winRate: 50, totalOrders: 40 });
        const backtest = (codeHash: string, family: string, sample: 'in-sample' | 'out-of-sample' | undefined, sharpe: number) =>
          recordBacktest(prisma, { runId: 'run-oos', codeHash, family, start: '2015-01-02', end: '2019-12-31', ...(sample ? { sample } : {}), statistics: stats(sharpe, 10) });
        await backtest('m1', 'momentum', 'in-sample', 2.0);
        await backtest('m2', 'momentum', 'in-sample', 1.0);
        await backtest('m3', 'momentum', 'out-of-sample', 0.2);
        await backtest('c1', 'carry', undefined, 0.8);
        const { familyResults } = await learnedContext(prisma, {});
        expect(familyResults).toEqual([
          'carry: 1 backtest(s), mean Sharpe 0.80, best Sharpe 0.80, mean drawdown 10.00%',
          'momentum: out of sample (holdouts selection never saw) 1 backtest(s), mean Sharpe 0.20, best Sharpe 0.20, mean drawdown 10.00%; in sample 2 backtest(s), mean Sharpe 1.50, best Sharpe 2.00, mean drawdown 10.00%',
        ]);
        expect(await prisma.backtest.count({ where: { sample: 'out-of-sample' } })).toBe(1);
      });
    });

    it('lets many processes migrate at once: one migrates while the others wait, every migration is recorded once', async () => {
      const location = await backend.fresh(dir);
      const results = await migrateTogether(location, 4, dir);
      for (const r of results) expect(r).toMatchObject({ ok: true });
      expect(results.flatMap((r) => r.applied ?? []).sort()).toEqual(backend.migrations);
      expect(await backend.recorded(location)).toEqual(backend.migrations);
      // the command a deployment's migrate job runs finds nothing left to do
      const cli = await runCli(['db', 'migrate', '--json'], { QUANTCODER_HOME: dir, QUANTCODER_DATABASE_URL: location.url ?? '' });
      expect(cli.code).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ applied: [], total: backend.migrations.length });
      // and the operator's health check judges the same store
      const health = await runCli(['health', '--json', '--address', '127.0.0.1:1'], { QUANTCODER_HOME: dir, QUANTCODER_DATABASE_URL: location.url ?? '' });
      expect((JSON.parse(health.stdout) as { checks: { database: unknown } }).checks.database).toEqual({ status: 'pass', message: expect.stringContaining('all migrations applied') });
    }, 180_000);
  });
}

describe('SQLite migration beside an unfinished one', () => {
  it('waits for the other migrator to commit, then applies only what is left', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-store-'));
    const file = path.join(dir, 'learning.db');
    const [first, ...rest] = migrationNames(MIGRATIONS_DIR);
    // another process is half-way: the first migration applied and recorded, not yet committed (the
    // migrations table itself exists already, so only the write lock can tell the migrator to wait)
    const other = new Database(file);
    try {
      other.pragma('journal_mode = WAL');
      other.exec(`CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
        "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
        "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
      other.exec('BEGIN IMMEDIATE');
      other.exec(fs.readFileSync(path.join(MIGRATIONS_DIR, first!, 'migration.sql'), 'utf8'));
      other.prepare("INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name) VALUES ('x', 'x', 1, ?)").run(first);
      const [result] = await migrateTogether({ file }, 1, dir, async () => {
        // give the migrator time to reach the database (a slower machine only makes this test weaker, never wrong)
        await new Promise((r) => setTimeout(r, 1500));
        other.exec('COMMIT');
      });
      expect(result).toEqual({ ok: true, applied: rest });
    } finally {
      other.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the PostgreSQL schema', () => {
  it('has exactly the models of the SQLite schema', () => {
    const models = (file: string) => {
      const text = fs.readFileSync(path.join(__dirname, '..', '..', 'prisma', file), 'utf8');
      return text.slice(text.indexOf('}', text.indexOf('datasource db {')) + 1).trim();
    };
    expect(models(path.join('postgres', 'schema.prisma'))).toBe(models('schema.prisma'));
  });
});
