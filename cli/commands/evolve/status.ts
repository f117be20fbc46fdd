import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { RUN_STATES_HELP } from '../../run-states';
import { refreshingPrinter, renderSnapshot } from '../../evolution-view';
import { evolutionView, watchEvolution, type EvolutionSnapshot } from '../../run-control';
import { learningStoreLocation } from '../../../store/open';

export default class EvolveStatus extends BaseCommand<typeof EvolveStatus> {
  static override summary = 'Show an evolution run: status, budget used, best variant, and fitness per generation.';
  static override description =
    'While the run goes, its status comes from the workflow itself (generation, variants in flight, elite). Once it has ' +
    'ended, the same view is rebuilt from its result, or — for a failed or terminated run — from the variants recorded in ' +
    'the learning database, with the failure message. With --watch the view refreshes every 2 seconds until the run ends ' +
    '(on a terminal the screen is redrawn; in a pipe only changes are printed).\n\n' +
    RUN_STATES_HELP;
  static override examples = [
    '<%= config.bin %> evolve status evolve-momentum',
    '<%= config.bin %> evolve status evolve-momentum --watch',
    '<%= config.bin %> evolve status evolve-momentum --json | jq .best',
  ];
  static override args = { id: Args.string({ required: true, description: 'The evolution run id (evolve-NAME).' }) };
  static override flags = {
    watch: Flags.boolean({ char: 'w', summary: 'Refresh every 2 seconds until the run ends.', default: false }),
  };

  async run(): Promise<EvolutionSnapshot & { webUi: string }> {
    const client = await this.temporal();
    const database = learningStoreLocation(this.settings);
    const webUi = this.webUiLink(this.args.id);
    if (!this.flags.watch) {
      const { snapshot } = await evolutionView(client, this.args.id, database);
      if (!this.jsonEnabled()) this.log(`${renderSnapshot(snapshot)}\nWeb UI: ${webUi}`);
      return { ...snapshot, webUi };
    }
    // with --json only the final status goes to stdout, so it stays one parseable document
    const print = this.jsonEnabled() ? refreshingPrinter({ isTTY: false, write: (t: string) => process.stderr.write(t) }) : refreshingPrinter(process.stdout);
    const { snapshot } = await watchEvolution(client, this.args.id, database, (s) => print(renderSnapshot(s)));
    if (!this.jsonEnabled()) this.log(`Web UI: ${webUi}`);
    return { ...snapshot, webUi };
  }
}
