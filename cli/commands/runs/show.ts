import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { followPipeline, renderPipelineResult } from '../../pipeline-view';
import type { PipelineResult } from '../../../domain/pipeline';
import { describeFailure } from '../../temporal';

export default class RunsShow extends BaseCommand<typeof RunsShow> {
  static override summary = 'Show a run: its stages, result and Web UI link; re-attaches to a run still going.';
  static override examples = ['<%= config.bin %> runs show pipeline-momentum-1a2b3c4', '<%= config.bin %> runs show pipeline-momentum-1a2b3c4 --json', '<%= config.bin %> runs show search-momentum-0a1b2c3 --no-follow'];
  static override args = { id: Args.string({ required: true, description: 'The run (workflow) id.' }) };
  static override flags = {
    follow: Flags.boolean({ summary: 'Follow a running run until it finishes.', default: true, allowNo: true }),
  };

  async run(): Promise<Record<string, unknown>> {
    const client = await this.temporal();
    const handle = client.workflow.getHandle(this.args.id);
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if ((err as Error).name === 'WorkflowNotFoundError') throw new UserError(`No run with id ${this.args.id}. List runs with \`quantcoder runs list\`.`);
      throw err;
    }
    const webUi = this.webUiLink(this.args.id);
    const summary = {
      id: this.args.id,
      type: description.type,
      status: description.status.name,
      startTime: description.startTime.toISOString(),
      closeTime: description.closeTime?.toISOString() ?? null,
      historyLength: description.historyLength,
      webUi,
    };
    if (!this.jsonEnabled()) this.log(`${summary.id} (${summary.type}) ${summary.status}, started ${summary.startTime}\nWeb UI: ${webUi}`);
    if (description.status.name === 'RUNNING' && !this.flags.follow) return summary;
    let result: unknown;
    try {
      result =
        description.type === 'researchPipeline' && description.status.name === 'RUNNING'
          ? await followPipeline(handle, (l) => (this.jsonEnabled() ? this.note(l) : this.log(l)))
          : await handle.result();
    } catch (err) {
      const failure = describeFailure(err);
      if (!this.jsonEnabled()) this.log(`Failed${failure.type ? ` (${failure.type})` : ''}: ${failure.message}`);
      return { ...summary, error: failure };
    }
    if (!this.jsonEnabled()) {
      if (description.type === 'researchPipeline') this.log(renderPipelineResult(result as PipelineResult));
      else this.log(JSON.stringify(result, null, 2));
    }
    return { ...summary, status: (await handle.describe()).status.name, result };
  }
}
