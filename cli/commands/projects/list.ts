import { BaseCommand } from '../../base';
import { table } from '../../format';
import { runSettings } from '../../../domain/run-settings';
import type { QuantCoderProject } from '../../../workflows/projects';

export default class ProjectsList extends BaseCommand<typeof ProjectsList> {
  static override summary = 'List the QuantConnect projects QuantCoder created in your account.';
  static override description =
    'QuantCoder keeps everything it creates in QuantConnect in the "QuantCoder/" folder of your account, named after the ' +
    'run that made it. Evolution runs delete their projects when they end (unless --keep-projects); other runs and ' +
    'interrupted ones may leave some behind. `quantcoder projects prune` deletes them. Your own projects are never listed.';
  static override examples = ['<%= config.bin %> projects list', '<%= config.bin %> projects list --json'];

  async run(): Promise<{ projects: QuantCoderProject[] }> {
    const { result: projects } = await this.executeStep<QuantCoderProject[]>('listProjectsStep', 'quantconnect-projects', [{ settings: runSettings(this.settings.config) }]);
    if (!this.jsonEnabled()) {
      if (!projects.length) this.log('QuantCoder has no projects in this QuantConnect account.');
      else {
        this.log(
          table(projects.map((p) => ({ ...p, created: p.created ?? '', modified: p.modified ?? '' })), [
            { key: 'projectId', header: 'Project' },
            { key: 'name', header: 'Name', max: 70 },
            { key: 'created', header: 'Created' },
            { key: 'modified', header: 'Modified' },
          ]),
        );
        this.log(`${projects.length} project(s). Delete them with: quantcoder projects prune`);
      }
    }
    return { projects };
  }
}
