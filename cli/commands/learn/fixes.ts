import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { learningStoreLocation, readLearningStore } from '../../../store/open';
import { fixConfidence } from '../../../domain/learning';

export interface LearnedFix {
  id: number;
  signature: string;
  kind: string;
  family: string | null;
  successes: number;
  failures: number;
  confidence: number;
  diff: string;
  updatedAt: string;
}

export default class LearnFixes extends BaseCommand<typeof LearnFixes> {
  static override summary = 'The repairs QuantCoder has learned: error signature → change, with how often it worked.';
  static override description =
    'Each fix is a change (a line diff) that made an error signature go away in a repair. Confidence is (successes + 1) / ' +
    '(successes + failures + 2): it grows with each success and falls with each failure, starting at 0.5. The most ' +
    'confident fixes come first. Reads the learning database only (no Temporal server needed).';
  static override examples = ['<%= config.bin %> learn fixes', '<%= config.bin %> learn fixes --family momentum --limit 5', '<%= config.bin %> learn fixes --json | jq ".fixes[0].diff"'];
  static override flags = {
    family: Flags.string({ summary: 'Only fixes learned on algorithms of this strategy family.' }),
    limit: Flags.integer({ char: 'n', summary: 'How many fixes to show.', default: 20, min: 1 }),
  };

  async run(): Promise<{ total: number; fixes: LearnedFix[] }> {
    const rows = await readLearningStore(learningStoreLocation(this.settings), [], (prisma) => prisma.fix.findMany({ where: this.flags.family ? { family: this.flags.family } : {} }));
    const fixes = rows
      .map((f) => ({ id: f.id, signature: f.signature, kind: f.kind, family: f.family, successes: f.successes, failures: f.failures, confidence: fixConfidence(f.successes, f.failures), diff: f.diff, updatedAt: f.updatedAt.toISOString() }))
      .sort((a, b) => b.confidence - a.confidence || b.successes - a.successes || a.id - b.id)
      .slice(0, this.flags.limit);
    if (!this.jsonEnabled()) {
      if (!fixes.length) this.log('No fixes learned yet: they are learned when a repair makes an error go away.');
      for (const f of fixes) {
        this.log(`#${f.id}  confidence ${f.confidence.toFixed(2)}  (${f.successes} worked, ${f.failures} did not)  ${f.kind}${f.family ? `  family ${f.family}` : ''}`);
        this.log(`    ${f.signature}`);
        this.log(f.diff.split('\n').map((l) => `    | ${l}`).join('\n'));
        this.log('');
      }
    }
    return { total: rows.length, fixes };
  }
}
