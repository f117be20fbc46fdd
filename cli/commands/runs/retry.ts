import { Args } from '@oclif/core';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WORKFLOW_TASK_TIMEOUT } from '../../../domain/run-settings';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { describeRun, freeRetryId, isOpen, startedRun } from '../../run-control';
import { requireWorker } from '../../temporal';

export default class RunsRetry extends BaseCommand<typeof RunsRetry> {
  static override summary = 'Start a run again with the same input, as a new run <id>-r<N>.';
  static override description =
    'Reads the original input from the first event of the run\'s history (its first execution, if it continued as new), ' +
    'and starts the same workflow type on the same task queue with the same search attributes, under the id ' +
    '<id without -rN>-r<N+1>. Work the original completed is not redone where QuantCoder caches it (downloads, LLM answers, ' +
    'backtests of identical code). A run still going is not retried: cancel it first.';
  static override examples = ['<%= config.bin %> runs retry pipeline-momentum-1a2b3c4', '<%= config.bin %> runs retry pipeline-momentum-1a2b3c4-r1 --json'];
  static override args = { id: Args.string({ required: true, description: 'The run (workflow) id to run again.' }) };

  async run(): Promise<{ id: string; retryOf: string; type: string; taskQueue: string; webUi: string }> {
    const client = await this.temporal();
    const { description } = await describeRun(client, this.args.id);
    if (isOpen(description.status.name)) throw new UserError(`${this.args.id} is still running; cancel it first (\`quantcoder runs cancel ${this.args.id}\`) or watch it`);
    const original = await startedRun(client, this.args.id);
    await requireWorker(client, original.taskQueue);
    const id = await freeRetryId(client, this.args.id);
    try {
      await client.workflow.start(original.type, { taskQueue: original.taskQueue, workflowId: id, args: original.args, typedSearchAttributes: original.searchAttributes, workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new UserError(`${id} was started meanwhile; retry again for the next id`);
      throw err;
    }
    const webUi = this.webUiLink(id);
    if (!this.jsonEnabled()) this.log(`Started ${id} (${original.type}, retry of ${this.args.id})\nWatch it: quantcoder runs watch ${id}\nWeb UI:   ${webUi}`);
    return { id, retryOf: this.args.id, type: original.type, taskQueue: original.taskQueue, webUi };
  }
}
