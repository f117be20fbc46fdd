import { Args } from '@oclif/core';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { table } from '../../format';
import { iterationOutcome } from '../../../domain/library';
import { autonomousReport, autonomousRunIds, type AutonomousReport } from '../../../store/library';
import { describeLearningStore, learningStoreLocation, openLearningStoreReadOnly } from '../../../store/open';

const fmt = (n: number | null, digits = 2) => (n === null ? '—' : n.toFixed(digits));
const pct = (n: number | null) => (n === null ? '—' : `${Math.round(n * 100)}%`);

export default class AutoReport extends BaseCommand<typeof AutoReport> {
  static override summary = 'What an autonomous run learned: repairs and error rates over iterations, success per category.';
  static override description =
    'Reads the learning database only (no Temporal server needed). Per iteration: the generate-and-repair attempts the ' +
    "strategy needed and the errors met (from the Algorithm and ErrorRecord rows of the iteration's pipeline run); the mean " +
    'repairs per strategy and the error rate in the first and second half of the run (falling numbers mean learned fixes ' +
    'help); and per strategy family the share of strategies accepted and their mean Sharpe. Without an id, the newest run.';
  static override examples = ['<%= config.bin %> auto report', '<%= config.bin %> auto report auto-momentum-1a2b3c4 --json | jq .repairs'];
  static override args = { id: Args.string({ required: false, description: 'The autonomous run id (auto-…).' }) };

  async run(): Promise<AutonomousReport> {
    const store = learningStoreLocation(this.settings);
    const prisma = await openLearningStoreReadOnly(store);
    if (!prisma) throw new UserError(`No learning database at ${describeLearningStore(store)} yet: start a run with \`quantcoder auto start\``);
    try {
      const id = this.args.id ?? (await autonomousRunIds(prisma))[0];
      if (!id) throw new UserError('No autonomous run recorded yet: start one with `quantcoder auto start --query <topic>`');
      const report = await autonomousReport(prisma, id);
      if (!report) throw new UserError(`The learning database has no iteration of ${id}; \`quantcoder auto status ${id}\` shows whether it started`);
      if (!this.jsonEnabled()) {
        this.log(`${id}: "${report.query}", ${report.iterations.length} iteration(s), ${report.learnedFixes} learned fix(es) in the database`);
        this.log(
          table(
            report.iterations.map((i) => ({ n: i.iteration, paper: i.title ?? '—', family: i.family ?? '—', attempts: i.attempts, repairs: i.repairs, errors: i.errors, rate: pct(i.errorRate), sharpe: fmt(i.sharpeRatio), ok: iterationOutcome(i) })),
            [
              { key: 'n', header: '#' },
              { key: 'paper', header: 'Paper', max: 40 },
              { key: 'family', header: 'Family' },
              { key: 'attempts', header: 'Attempts' },
              { key: 'repairs', header: 'Repairs' },
              { key: 'errors', header: 'Errors' },
              { key: 'rate', header: 'Error rate' },
              { key: 'sharpe', header: 'Sharpe' },
              { key: 'ok', header: 'Outcome' },
            ],
          ),
        );
        this.log(`\nRepairs per strategy: first half ${fmt(report.repairs.firstHalf)}, second half ${fmt(report.repairs.secondHalf)}`);
        this.log(`Error rate per attempt: first half ${pct(report.errorRate.firstHalf)}, second half ${pct(report.errorRate.secondHalf)}\n`);
        this.log(
          table(
            report.families.map((f) => ({ ...f, success: pct(f.successRate), mean: fmt(f.meanSharpe) })),
            [
              { key: 'family', header: 'Category' },
              { key: 'strategies', header: 'Strategies' },
              { key: 'compiled', header: 'Compiled' },
              { key: 'accepted', header: 'Accepted' },
              { key: 'success', header: 'Success' },
              { key: 'mean', header: 'Mean Sharpe' },
            ],
          ),
        );
      }
      return report;
    } finally {
      await prisma.$disconnect();
    }
  }
}
