import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { followPipeline } from '../../pipeline-view';
import { describeRun } from '../../run-control';
import { runState, RUN_STATES_HELP } from '../../run-states';
import { overfittingFields, renderRunResult } from '../../run-views';
import type { EvolutionResult } from '../../../workflows/evolution';
import { describeFailure } from '../../temporal';

export default class RunsShow extends BaseCommand<typeof RunsShow> {
  static override summary = 'Show a run: its stages, result and Web UI link; re-attaches to a run still going.';
  static override description =
    'A run still going is followed to its end (unless --no-follow); its result is then printed as a table. An evolution run ' +
    'shows its best program in sample and out of sample side by side, with the deflated and probabilistic Sharpe ratios, the ' +
    'number of trials and the verdict (`evolve start --help` gives its thresholds); with --json they are also at the top ' +
    `(inSample, outOfSample, deflatedSharpe, probabilisticSharpe, trials, verdict).\n\n${RUN_STATES_HELP}`;
  static override examples = ['<%= config.bin %> runs show pipeline-momentum-1a2b3c4', '<%= config.bin %> runs show pipeline-momentum-1a2b3c4 --json', '<%= config.bin %> runs show search-momentum-0a1b2c3 --no-follow'];
  static override args = { id: Args.string({ required: true, description: 'The run (workflow) id.' }) };
  static override flags = {
    follow: Flags.boolean({ summary: 'Follow a running run until it finishes.', default: true, allowNo: true }),
  };

  async run(): Promise<Record<string, unknown>> {
    const client = await this.temporal();
    const { handle, description } = await describeRun(client, this.args.id);
    const webUi = this.webUiLink(this.args.id);
    const summary = {
      id: this.args.id,
      type: description.type,
      status: runState(description.status.name),
      startTime: description.startTime.toISOString(),
      closeTime: description.closeTime?.toISOString() ?? null,
      historyLength: description.historyLength,
      webUi,
    };
    if (!this.jsonEnabled()) this.log(`${summary.id} (${summary.type}) ${summary.status}, started ${summary.startTime}\nWeb UI: ${webUi}`);
    const running = summary.status === 'running';
    if (running && !this.flags.follow) return summary;
    const say = (l: string) => (this.jsonEnabled() ? this.note(l) : this.log(l));
    let result: unknown;
    try {
      result = description.type === 'researchPipeline' && running ? await followPipeline(handle, say) : await handle.result();
    } catch (err) {
      const failure = describeFailure(err);
      const ended = running ? await this.ended(handle) : summary;
      if (!this.jsonEnabled()) this.log(`${ended.status}${failure.type ? ` (${failure.type})` : ''}: ${failure.message}`);
      process.exitCode = 1;
      return { ...summary, ...ended, error: failure };
    }
    this.noteSimulated(result);
    if (!this.jsonEnabled()) this.log(renderRunResult(description.type, result));
    // a run followed to its end has a status and close time it did not have when we started
    // an evolution run judged out of sample carries its best's check at the top, as `evolve export --json` does
    const check = description.type === 'evolutionRun' ? overfittingFields((result as EvolutionResult | null)?.overfitting) : {};
    return { ...summary, ...(running ? await this.ended(handle) : {}), ...simulatedOf(result), ...check, result };
  }

  private async ended(handle: Awaited<ReturnType<typeof describeRun>>['handle']): Promise<{ status: string; closeTime: string | null; historyLength: number }> {
    const d = await handle.describe();
    return { status: runState(d.status.name), closeTime: d.closeTime?.toISOString() ?? null, historyLength: d.historyLength };
  }
}

function simulatedOf(result: unknown): { simulated?: boolean } {
  const s = (result as { simulated?: unknown } | null)?.simulated;
  return typeof s === 'boolean' ? { simulated: s } : {};
}
