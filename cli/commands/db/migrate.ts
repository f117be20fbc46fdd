import { BaseCommand } from '../../base';
import { learningStoreLocation, migrateLearningStore } from '../../../store/open';

export default class DbMigrate extends BaseCommand<typeof DbMigrate> {
  static override summary = 'Create the learning database, or bring it up to the latest migration.';
  static override description =
    'Applies the committed migrations to $QUANTCODER_HOME/learning.db, or to the PostgreSQL database named by ' +
    'QUANTCODER_DATABASE_URL. A missing database is created; one at an older migration is migrated in place; a corrupt ' +
    'file is reported and never overwritten. Safe to run any number of times, and from many processes at once: one ' +
    'migrates, the others wait for it.';
  static override examples = [
    '<%= config.bin %> db migrate',
    'QUANTCODER_HOME=/srv/quantcoder <%= config.bin %> db migrate --json',
    'QUANTCODER_DATABASE_URL=postgresql://quantcoder@db.internal:5432/quantcoder <%= config.bin %> db migrate',
  ];

  async run(): Promise<{ file: string; created: boolean; applied: string[]; total: number }> {
    const report = await migrateLearningStore(learningStoreLocation(this.settings));
    if (report.created) this.log(`Created ${report.file}.`);
    if (report.applied.length) this.log(`Applied ${report.applied.length} migration(s): ${report.applied.join(', ')}`);
    else this.log(`${report.file} is up to date (${report.total} migrations).`);
    return report;
  }
}
