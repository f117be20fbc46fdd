import fs from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { table } from '../../format';
import { libraryExport, libraryExportFiles, libraryNames, type ExportedStrategy } from '../../../store/library';
import { describeLearningStore, learningStoreLocation, openLearningStoreReadOnly } from '../../../store/open';
import { zipFiles } from '../../archive';
import { libraryName } from './build';

export interface LibraryExportOutput {
  library: string;
  format: 'json' | 'zip';
  output: string;
  count: number;
  categories: Record<string, number>;
  strategies: Array<
    { id: string; category: string; title: string; doi: string | null; arxivId: string | null; sharpeRatio: number | null; file: string } & Pick<
      ExportedStrategy,
      'inSample' | 'outOfSample' | 'holdout' | 'deflatedSharpe' | 'probabilisticSharpe' | 'trials' | 'verdict'
    >
  >;
}

export default class LibraryExportCommand extends BaseCommand<typeof LibraryExportCommand> {
  static override summary = 'Export the accepted strategies of a library, with their statistics, source papers and an index.';
  static override description =
    'Reads the learning database (no Temporal server needed). --format json writes one JSON document: the index (library, ' +
    'export time, count per category) and every strategy with its paper (title, authors, year, DOI/arXiv id, URL), ' +
    'strategy family, backtest statistics, the runs that produced it, and its code. --format zip writes an archive with ' +
    'index.json and, per strategy, <category>/<paper>/main.py and metadata.json. A polished strategy is exported in its ' +
    'improved form. A strategy accepted by a build with --holdout also carries inSample and outOfSample statistics, the ' +
    'holdout period, the deflated and probabilistic Sharpe ratios (trials: the papers its category backtested) and the ' +
    'verdict, which the table shows side by side. An existing output file is kept unless --force.';
  static override examples = [
    '<%= config.bin %> library export',
    '<%= config.bin %> library export equities --format zip --output equities.zip',
    '<%= config.bin %> library export --json | jq .strategies',
  ];
  static override args = { name: Args.string({ required: false, description: 'The library name (default: the latest built).' }) };
  static override flags = {
    format: Flags.string({ summary: 'What to write.', options: ['json', 'zip'], default: 'json' }),
    output: Flags.string({ char: 'o', summary: 'Where to write it (default ./<name>-library.<format>).' }),
    force: Flags.boolean({ char: 'f', summary: 'Overwrite the output file if it exists.', default: false }),
  };

  async run(): Promise<LibraryExportOutput> {
    const store = learningStoreLocation(this.settings);
    const format = this.flags.format as 'json' | 'zip';
    const prisma = await openLearningStoreReadOnly(store);
    if (!prisma) throw new UserError(`No learning database at ${describeLearningStore(store)}: build a library first with \`quantcoder library build\``);
    try {
      const name = this.args.name ? libraryName(this.args.name) : (await libraryNames(prisma))[0];
      if (!name) throw new UserError('No library has been built yet: start one with `quantcoder library build`');
      const exported = await libraryExport(prisma, name);
      if (!exported.count) throw new UserError(`Library "${name}" has no accepted strategy yet; see \`quantcoder library status ${name}\``);
      const output = path.resolve(this.flags.output ?? `${name}-library.${format}`);
      if (fs.existsSync(output) && !this.flags.force) throw new UserError(`${output} exists; pass --force to overwrite it, or choose another --output`);
      const content = format === 'zip' ? zipFiles(libraryExportFiles(exported).map((f) => ({ name: f.name, content: f.content }))) : `${JSON.stringify(exported, null, 2)}\n`;
      fs.mkdirSync(path.dirname(output), { recursive: true });
      const tmp = `${output}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, content);
      fs.renameSync(tmp, output);
      const strategies = exported.strategies.map((s) => {
        const { inSample, outOfSample, holdout, deflatedSharpe, probabilisticSharpe, trials, verdict } = s;
        const check = holdout ? { inSample, outOfSample, holdout, deflatedSharpe, probabilisticSharpe, trials, verdict } : {};
        return { id: s.id, category: s.category, title: s.paper.title, doi: s.paper.doi, arxivId: s.paper.arxivId, sharpeRatio: s.statistics.sharpeRatio, file: s.file, ...check };
      });
      if (!this.jsonEnabled()) {
        const anyHoldout = strategies.some((s) => s.holdout);
        const f = (n: number | null | undefined, digits = 2) => (n === null || n === undefined ? '—' : n.toFixed(digits));
        this.log(
          table(
            strategies.map((s) => ({
              category: s.category,
              title: s.title,
              paper: s.doi ?? (s.arxivId ? `arXiv:${s.arxivId}` : ''),
              sharpe: f(s.sharpeRatio),
              out: s.holdout ? (s.outOfSample ? f(s.outOfSample.sharpeRatio) : 'not run') : 'no holdout',
              dsr: f(s.deflatedSharpe, 3),
              verdictText: s.verdict ?? '—',
            })),
            [
              { key: 'category', header: 'Category' },
              { key: 'title', header: 'Paper', max: 50 },
              { key: 'paper', header: 'DOI / arXiv' },
              { key: 'sharpe', header: anyHoldout ? 'Sharpe in' : 'Sharpe' },
              ...(anyHoldout
                ? [
                    { key: 'out' as const, header: 'Sharpe out' },
                    { key: 'dsr' as const, header: 'DSR' },
                    { key: 'verdictText' as const, header: 'Verdict' },
                  ]
                : []),
            ],
          ),
        );
        this.log(`Wrote ${exported.count} strategies of library ${name} to ${output}`);
      }
      return { library: name, format, output, count: exported.count, categories: exported.categories, strategies };
    } finally {
      await prisma.$disconnect();
    }
  }
}
