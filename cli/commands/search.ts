import { Args, Flags } from '@oclif/core';
import { randomUUID } from 'node:crypto';
import { BaseCommand } from '../base';
import { authorsShort, table } from '../format';
import { runId } from '../../domain/ids';
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
      args: [{ query: this.args.query, maxResults: this.flags['max-results'], source: 'crossref' }],
      typedSearchAttributes: [
        { key: RUN_KIND, value: 'search' },
        { key: RUN_TOPIC, value: this.args.query },
      ],
    });
    const output = result as SearchOutput;
    if (!this.jsonEnabled()) {
      if (!output.results.length) this.log(`No papers found for "${this.args.query}".`);
      else {
        this.log(
          table(
            output.results.map((r) => ({ n: r.n, year: r.year, title: r.title, authors: authorsShort(r.authors), doi: r.doi ?? r.arxivId })),
            [
              { key: 'n', header: '#' },
              { key: 'year', header: 'Year' },
              { key: 'title', header: 'Title', max: 60 },
              { key: 'authors', header: 'Authors', max: 40 },
              { key: 'doi', header: 'DOI' },
            ],
          ),
        );
        this.log(`\nRun ${workflowId}: ${this.webUiLink(workflowId)}`);
      }
    }
    return { workflowId, ...output };
  }
}
