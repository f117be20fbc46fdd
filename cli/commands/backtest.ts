import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base';
import { statisticsLine } from '../pipeline-view';
import { algorithmName, readAlgorithm } from '../steps';
import { periodOf, validatePeriod } from '../../domain/backtest-period';
import { runSettings } from '../../domain/run-settings';
import type { BacktestResult } from '../../domain/pipeline';
import type { ValidateOutput } from '../../workflows/steps';

export default class Backtest extends BaseCommand<typeof Backtest> {
  static override summary = 'Backtest an algorithm on QuantConnect over a period you choose.';
  static override description =
    '--start and --end are written into the algorithm (set_start_date/set_end_date), which then passes the quality gate, ' +
    'compiles, and runs as a backtest polled to the end with heartbeats; statistics are parsed from LEAN\'s strings.';
  static override examples = ['<%= config.bin %> backtest main.py --start 2018-01-01 --end 2023-12-31', '<%= config.bin %> backtest main.py --sandbox --json | jq .backtest.statistics'];
  static override args = { file: Args.string({ required: true, description: 'The algorithm file (main.py).' }) };
  static override flags = {
    start: Flags.string({ summary: 'Backtest start date (YYYY-MM-DD).' }),
    end: Flags.string({ summary: 'Backtest end date (YYYY-MM-DD).' }),
  };

  async run(): Promise<ValidateOutput & { workflowId: string; backtest: BacktestResult | null }> {
    validatePeriod(this.flags.start, this.flags.end);
    const { file, code } = readAlgorithm(this.args.file);
    const { workflowId, result } = await this.executeStep<ValidateOutput & { backtest: BacktestResult | null }>('backtestStep', algorithmName(file, code), [
      { code, localOnly: false, start: this.flags.start, end: this.flags.end, settings: runSettings(this.settings.config) },
    ]);
    if (!this.jsonEnabled()) {
      if (result.check.problem) this.log(`${result.check.problem.kind} error:\n${result.check.problem.message}`);
      else if (result.compile && !result.compile.compiled) this.log(`Build error:\n${result.compile.logs.join('\n')}`);
      else if (result.backtest?.kind === 'runtimeError') this.log(`Runtime error: ${result.backtest.error}\n${result.backtest.stacktrace ?? ''}`);
      else if (result.backtest) {
        const period = periodOf(result.check.code);
        this.log(`Period ${period.start ?? '(the backtester default)'} → ${period.end ?? '(the backtester default)'}`);
        this.log(statisticsLine(result.backtest.statistics));
      }
    }
    if (result.backtest?.kind !== 'completed') process.exitCode = 1;
    return { workflowId, ...result };
  }
}
