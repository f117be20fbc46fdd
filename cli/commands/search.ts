import { Args, Flags } from '@oclif/core';
import { randomUUID } from 'node:crypto';
import { BaseCommand } from '../base';
import { renderSearchResults } from '../run-views';
import { runId } from '../../domain/ids';
import { WORKFLOW_TASK_TIMEOUT } from '../../domain/run-settings';
import { RUN_KIND, RUN_TOPIC } from '../../domain/search-attributes';
import type { SearchOutput } from '../../workflows';

export default class Search extends BaseCommand<typeof Search> {
  static override summary = 'Search research papers (CrossRef) and number the results for later commands.';
  static override description =
    'Runs a durable search workflow: the CrossRef query is an activity with its own retry policy, and the results are stored in ' +
    'the learning database, numbered from 1, so `quantcoder download 2` or `quantcoder run 2` can refer to them.';
  static override examples = [
    '<%= config.bin %> search "time series momentum"',
    '<%= config.bin %> search "pairs trading cointegration" --max-results 10',
    '<%= config.bin %> search momentum --json | jq ".results[0].doi"',
  ];
  static override args = { query: Args.string({ required: true, description: 'What to search for (a topic, keywords, a title).' }) };
  static override flags = {
    'max-results': Flags.integer({ char: 'n', summary: 'How many papers to return.', default: 5, min: 1, max: 100 }),
    source: Flags.string({ summary: 'Where to search.', options: ['crossref'], default: 'crossref' }),
  };

  async run(): Promise<SearchOutput & { workflowId: string }> {
    const client = await this.temporal();
    await this.requireWorker();
    const workflowId = runId('search', this.args.query, randomUUID());
    const result = await client.workflow.execute('searchPapers', {
      taskQueue: this.taskQueue,
      workflowId,
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
      args: [{ query: this.args.query, maxResults: this.flags['max-results'], source: 'crossref' }],
      typedSearchAttributes: [
        { key: RUN_KIND, value: 'search' },
        { key: RUN_TOPIC, value: this.args.query },
      ],
    });
    const output = result as SearchOutput;
    if (!this.jsonEnabled()) {
      this.log(renderSearchResults(output));
      if (output.results.length) this.log(`\nRun ${workflowId}: ${this.webUiLink(workflowId)}`);
    }
    this.noteSimulated(output);
    // a search that found nothing produced nothing: scripts can tell by the exit code
    if (!output.results.length) {
      if (this.jsonEnabled()) this.note(`No papers found for "${this.args.query}".`);
      process.exitCode = 1;
    }
    return { workflowId, ...output };
  }
}
