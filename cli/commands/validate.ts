import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base';
import { algorithmName, readAlgorithm } from '../steps';
import { runSettings } from '../../domain/run-settings';
import type { ValidateOutput } from '../../workflows/steps';

export default class Validate extends BaseCommand<typeof Validate> {
  static override summary = 'Validate an algorithm: syntax, the LEAN linter, then a QuantConnect compile.';
  static override description =
    "Runs the quality gate (CPython's parser, never running the code; the LEAN linter with safe fixes) and, unless " +
    '--local-only, compiles the fixed code on QuantConnect in a project named after the run. Exit code 0 when valid.';
  static override examples = ['<%= config.bin %> validate main.py --local-only', '<%= config.bin %> validate main.py --sandbox', '<%= config.bin %> validate main.py --json'];
  static override args = { file: Args.string({ required: true, description: 'The algorithm file (main.py).' }) };
  static override flags = { 'local-only': Flags.boolean({ summary: 'Skip the QuantConnect compile.', default: false }) };

  async run(): Promise<ValidateOutput & { workflowId: string; valid: boolean }> {
    const { file, code } = readAlgorithm(this.args.file);
    const { workflowId, result } = await this.executeStep<ValidateOutput>('validateStep', algorithmName(file, code), [
      { code, localOnly: this.flags['local-only'], settings: runSettings(this.settings.config) },
    ]);
    const valid = !result.check.problem && (this.flags['local-only'] || !!result.compile?.compiled);
    if (!this.jsonEnabled()) {
      if (result.check.fixesApplied.length) this.log(`Linter fixes applied: ${result.check.fixesApplied.join(', ')}`);
      for (const w of result.check.warnings) this.log(`warning ${w}`);
      if (result.check.problem) this.log(`${result.check.problem.kind} error:\n${result.check.problem.message}`);
      else if (result.compile) this.log(result.compile.compiled ? `Compiled on QuantConnect (project ${result.compile.projectId}).` : `Build error:\n${result.compile.logs.join('\n')}`);
      this.log(valid ? 'Valid.' : 'Not valid.');
    }
    if (!valid) process.exitCode = 1;
    return { workflowId, valid, ...result };
  }
}
