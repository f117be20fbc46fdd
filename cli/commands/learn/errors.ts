import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { table } from '../../format';
import { learningStoreLocation, readLearningStore } from '../../../store/open';

export interface ErrorSignatureRow {
  signature: string;
  kind: string;
  count: number;
  fixed: number;
  fixedShare: number;
  families: string[];
  lastSeen: string;
  example: string;
}

export default class LearnErrors extends BaseCommand<typeof LearnErrors> {
  static override summary = 'The most frequent errors met by generated algorithms, and how often a repair fixed them.';
  static override description =
    'Errors (syntax, lint, structure, QuantConnect compile, backtest runtime) are grouped by signature — the message with ' +
    'numbers, names and quoted text abstracted, so the same mistake in two programs counts once. Reads the learning ' +
    'database only (no Temporal server needed).';
  static override examples = ['<%= config.bin %> learn errors', '<%= config.bin %> learn errors --family momentum --kind compile --limit 5', '<%= config.bin %> learn errors --json'];
  static override flags = {
    family: Flags.string({ summary: 'Only errors of algorithms of this strategy family.' }),
    kind: Flags.string({ summary: 'Only errors of this kind.', options: ['syntax', 'lint', 'structure', 'faithfulness', 'compile', 'runtime'] }),
    limit: Flags.integer({ char: 'n', summary: 'How many signatures to show.', default: 20, min: 1 }),
  };

  async run(): Promise<{ total: number; signatures: ErrorSignatureRow[] }> {
    const rows = await readLearningStore(learningStoreLocation(this.settings), [], (prisma) =>
      prisma.errorRecord.findMany({
        where: { ...(this.flags.family ? { family: this.flags.family } : {}), ...(this.flags.kind ? { kind: this.flags.kind } : {}) },
        select: { signature: true, kind: true, fixed: true, family: true, message: true, createdAt: true },
        orderBy: { createdAt: 'asc' },
      }),
    );
    const groups = new Map<string, ErrorSignatureRow & { familySet: Set<string> }>();
    for (const r of rows) {
      let g = groups.get(r.signature);
      if (!g) groups.set(r.signature, (g = { signature: r.signature, kind: r.kind, count: 0, fixed: 0, fixedShare: 0, families: [], lastSeen: '', example: '', familySet: new Set() }));
      g.count++;
      if (r.fixed) g.fixed++;
      if (r.family) g.familySet.add(r.family);
      g.lastSeen = r.createdAt.toISOString();
      g.example = r.message.split('\n')[0]!.slice(0, 200);
    }
    const signatures = [...groups.values()]
      .map(({ familySet, ...g }) => ({ ...g, fixedShare: g.fixed / g.count, families: [...familySet].sort() }))
      .sort((a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen))
      .slice(0, this.flags.limit);
    if (!this.jsonEnabled()) {
      if (!signatures.length) this.log('No errors recorded yet.');
      else
        this.log(
          table(
            signatures.map((s) => ({ ...s, fixedShare: `${Math.round(s.fixedShare * 100)}%`, families: s.families.join(', ') || '—' })),
            [
              { key: 'count', header: 'Count' },
              { key: 'kind', header: 'Kind' },
              { key: 'fixedShare', header: 'Fixed' },
              { key: 'families', header: 'Families', max: 30 },
              { key: 'signature', header: 'Signature', max: 100 },
            ],
          ),
        );
    }
    return { total: rows.length, signatures };
  }
}
