import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline/promises';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { PathSecurityError } from '../../../domain/errors';
import { assertSqliteFile } from '../../../store/database';
import { describeLearningStore, isPostgresStore, learningStoreLocation, openLearningStore, readLearningStore, type LearningStoreLocation } from '../../../store/open';
import { formatBytes } from '../../format';

interface FolderPlan {
  what: 'downloads' | 'generated';
  dir: string;
  entries: string[];
  files: number;
  bytes: number;
}

interface ArticlesPlan {
  searches: number;
  articles: number;
  /** Articles that summaries or algorithms refer to: learned data, not cache, so they stay. */
  kept: number;
}

export interface CacheClearResult {
  cleared: Array<{ what: string; files?: number; bytes?: number; searches?: number; articles?: number; kept?: number }>;
}

/** Refuses a folder that resolves (through symlinks) outside QUANTCODER_HOME, or a home that is not QuantCoder's own. */
function assertInsideHome(home: string, dir: string): void {
  const realHome = fs.realpathSync(home);
  if (realHome === path.parse(realHome).root || realHome === fs.realpathSync(os.homedir())) {
    throw new PathSecurityError(`Refusing to clear caches: QUANTCODER_HOME (${home}) is ${realHome === path.parse(realHome).root ? 'the filesystem root' : 'your home directory'}, not a folder of QuantCoder's own.`);
  }
  const real = fs.realpathSync(dir);
  if (!real.startsWith(realHome + path.sep)) {
    throw new PathSecurityError(`Refusing to delete ${dir}: it resolves to ${real}, outside QUANTCODER_HOME (${realHome}).`);
  }
}

/** Counts what a folder holds without following symlinks (a link is deleted, never what it points to). */
function measure(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = measure(p);
      files += inner.files;
      bytes += inner.bytes;
    } else {
      files += 1;
      bytes += fs.lstatSync(p).size;
    }
  }
  return { files, bytes };
}

function planFolder(home: string, what: FolderPlan['what'], dir: string): FolderPlan {
  if (!fs.existsSync(dir)) return { what, dir, entries: [], files: 0, bytes: 0 };
  assertInsideHome(home, dir);
  return { what, dir, entries: fs.readdirSync(dir).map((e) => path.join(dir, e)), ...measure(dir) };
}

/** Papers learned data refers to (a summary or an algorithm): learned data, not cache. */
const ARTICLE_IS_CACHE = { summaries: { none: {} }, algorithms: { none: {} } };

async function planArticles(store: LearningStoreLocation): Promise<ArticlesPlan> {
  if (!isPostgresStore(store)) {
    if (!fs.existsSync(store.file)) return { searches: 0, articles: 0, kept: 0 };
    assertSqliteFile(store.file);
  }
  return readLearningStore(store, { searches: 0, articles: 0, kept: 0 }, async (prisma) => {
    const [searches, articles, all] = await Promise.all([prisma.search.count(), prisma.article.count({ where: ARTICLE_IS_CACHE }), prisma.article.count()]);
    return { searches, articles, kept: all - articles };
  });
}

async function clearArticles(store: LearningStoreLocation): Promise<void> {
  const prisma = await openLearningStore(store);
  try {
    await prisma.$transaction([prisma.searchResult.deleteMany(), prisma.search.deleteMany(), prisma.article.deleteMany({ where: ARTICLE_IS_CACHE })]);
  } finally {
    await prisma.$disconnect();
  }
}

export default class CacheClear extends BaseCommand<typeof CacheClear> {
  static override summary = 'Delete cached downloads, generated code, or stored search results.';
  static override description =
    'Say what to clear: --downloads (PDFs in $QUANTCODER_HOME/downloads), --generated (algorithms in ' +
    '$QUANTCODER_HOME/generated), --articles (searches and the papers they found, from the learning database; papers ' +
    'that summaries or algorithms refer to are kept, because they are learned data, not cache), or --all. Shows what ' +
    'it will delete and asks for confirmation unless --yes; without a terminal and without --yes it refuses. Never ' +
    'deletes anything outside QUANTCODER_HOME (a folder that is a symlink out of it is refused).';
  static override examples = [
    '<%= config.bin %> cache clear --downloads',
    '<%= config.bin %> cache clear --generated --articles --yes',
    '<%= config.bin %> cache clear --all --yes --json',
  ];
  static override flags = {
    downloads: Flags.boolean({ summary: 'Delete downloaded PDFs.', default: false }),
    generated: Flags.boolean({ summary: 'Delete generated algorithm files.', default: false }),
    articles: Flags.boolean({ summary: 'Delete stored searches and the papers only they refer to.', default: false }),
    all: Flags.boolean({ summary: 'All of the above.', default: false }),
    yes: Flags.boolean({ char: 'y', summary: 'Do not ask for confirmation.', default: false }),
  };

  async run(): Promise<CacheClearResult> {
    const { layout } = this.settings;
    const { all } = this.flags;
    const want = { downloads: all || this.flags.downloads, generated: all || this.flags.generated, articles: all || this.flags.articles };
    if (!want.downloads && !want.generated && !want.articles) {
      throw new UserError('Say what to clear: --downloads, --generated, --articles (several may be given), or --all.');
    }
    const folders: FolderPlan[] = [];
    if (want.downloads) folders.push(planFolder(layout.home, 'downloads', layout.downloads));
    if (want.generated) folders.push(planFolder(layout.home, 'generated', layout.generated));
    const store = learningStoreLocation(this.settings);
    const articles = want.articles ? await planArticles(store) : undefined;

    const lines = folders.map((f) => `${f.what}: ${f.files} file(s), ${formatBytes(f.bytes)} in ${f.dir}`);
    if (articles) {
      lines.push(`articles: ${articles.searches} search(es) and ${articles.articles} paper(s) in ${describeLearningStore(store)}` + (articles.kept ? ` (${articles.kept} paper(s) kept: learned data refers to them)` : ''));
    }
    const nothing = folders.every((f) => f.entries.length === 0) && (!articles || articles.searches + articles.articles === 0);
    if (nothing) {
      this.log('Nothing to clear.');
      return { cleared: [] };
    }
    this.log(`Will delete:\n  ${lines.join('\n  ')}`);
    if (!this.flags.yes) await this.confirm();

    for (const f of folders) for (const entry of f.entries) fs.rmSync(entry, { recursive: true, force: true });
    if (articles && articles.searches + articles.articles > 0) await clearArticles(store);
    this.log('Done.');
    return {
      cleared: [
        ...folders.map((f) => ({ what: f.what, files: f.files, bytes: f.bytes })),
        ...(articles ? [{ what: 'articles', searches: articles.searches, articles: articles.articles, kept: articles.kept }] : []),
      ],
    };
  }

  private async confirm(): Promise<void> {
    if (!process.stdin.isTTY) {
      throw new UserError('Refusing to delete without confirmation: not running in a terminal. Re-run with --yes to confirm.');
    }
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = (await rl.question('Delete these? [y/N] ')).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') throw new UserError('Cancelled: nothing was deleted.');
    } finally {
      rl.close();
    }
  }
}
