import { Args } from '@oclif/core';
import { BaseCommand } from '../../base';
import { refreshingPrinter, renderSnapshot } from '../../evolution-view';
import { followPipeline } from '../../pipeline-view';
import { describeRun, isOpen, watchEvolution } from '../../run-control';
import { describeFailure } from '../../temporal';
import { runState, RUN_STATES_HELP } from '../../run-states';
import { renderRunResult } from '../../run-views';
import { learningStoreLocation } from '../../../store/open';

export default class RunsWatch extends BaseCommand<typeof RunsWatch> {
  static override summary = 'Follow a run until it ends, printing its progress as it changes.';
  static override description =
    'A research pipeline prints each paper\'s stage as it changes; an evolution run prints its status whenever it changes ' +
    '(as `evolve status --watch`); any other run is waited for and its result printed as a table. Ctrl-C stops watching, not the run.\n\n' +
    RUN_STATES_HELP;
  static override examples = ['<%= config.bin %> runs watch pipeline-momentum-1a2b3c4', '<%= config.bin %> runs watch evolve-momentum', '<%= config.bin %> runs watch search-momentum-0a1b2c3 --json'];
  static override args = { id: Args.string({ required: true, description: 'The run (workflow) id.' }) };

  async run(): Promise<{ id: string; type: string; status: string; result?: unknown; error?: { type?: string; message: string } }> {
    const client = await this.temporal();
    const { handle, description } = await describeRun(client, this.args.id);
    const say = (line: string) => (this.jsonEnabled() ? this.note(line) : this.log(line));
    const base = { id: this.args.id, type: description.type };
    if (description.type === 'evolutionRun') {
      const print = refreshingPrinter(this.jsonEnabled() ? { isTTY: false, write: (t: string) => process.stderr.write(t) } : process.stdout);
      const { snapshot } = await watchEvolution(client, this.args.id, learningStoreLocation(this.settings), (s) => print(renderSnapshot(s)));
      return { ...base, status: snapshot.status, result: snapshot, ...(snapshot.error ? { error: snapshot.error } : {}) };
    }
    if (isOpen(description.status.name)) say(`Watching ${this.args.id} (${description.type}); Ctrl-C stops watching, the run goes on.`);
    try {
      const result = description.type === 'researchPipeline' && isOpen(description.status.name) ? await followPipeline(handle, say) : await handle.result();
      this.noteSimulated(result);
      if (!this.jsonEnabled()) this.log(renderRunResult(description.type, result));
      return { ...base, status: runState((await handle.describe()).status.name), result };
    } catch (err) {
      const error = describeFailure(err);
      const status = runState((await handle.describe()).status.name);
      if (!this.jsonEnabled()) this.log(`${this.args.id} ${status}${error.type ? ` (${error.type})` : ''}: ${error.message}`);
      process.exitCode = 1;
      return { ...base, status, error };
    }
  }
}
