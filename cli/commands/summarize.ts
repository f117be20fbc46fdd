import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base';
import { describeTarget } from '../../domain/targets';
import { commandTarget } from '../targets';
import { runSettings } from '../../domain/run-settings';
import type { Paper } from '../../domain/papers';
import type { StrategySpec } from '../../domain/strategy';

export default class Summarize extends BaseCommand<typeof Summarize> {
  static override summary = 'Turn a paper into a strategy specification (overview, model, signals, rules, risk, universe, parameters).';
  static override description =
    "Downloads the paper, extracts and cleans its text, and asks the summarize LLM for a specification as JSON, validated " +
    'against a schema (a malformed answer is retried once with the validation error).';
  static override examples = [
    '<%= config.bin %> summarize 1',
    '<%= config.bin %> summarize 2101.00001 --json | jq .spec.parameters',
    '<%= config.bin %> summarize ./paper.pdf --json',
    '<%= config.bin %> summarize 10.2139/ssrn.299107 --pdf paper.pdf',
  ];
  static override args = {
    target: Args.string({ required: true, description: 'A result number of the latest search, a DOI, an arXiv id, a PDF file, or a link to a PDF or its landing page.' }),
  };
  static override flags = {
    pdf: Flags.string({ summary: 'Your own copy of the paper whose DOI is the target (closed access).', helpValue: 'FILE' }),
  };

  async run(): Promise<{ workflowId: string; paper: Paper; spec: StrategySpec; sections: string[]; warnings: string[]; tokens: { input: number; output: number } }> {
    const target = await commandTarget(this.args.target, this.flags.pdf, this.settings);
    const { workflowId, result } = await this.executeStep<{ paper: Paper; spec: StrategySpec; sections: string[]; warnings: string[]; tokens: { input: number; output: number } }>(
      'summarizeStep',
      describeTarget(target),
      [{ target, settings: runSettings(this.settings.config) }],
    );
    if (!this.jsonEnabled()) {
      for (const w of result.warnings) this.warn(w);
      const s = result.spec;
      this.log(`${s.title}  [${s.family}]\n\n${s.overview}\n\nModel: ${s.mathematicalModel}`);
      for (const [label, items] of [['Signals', s.signals], ['Entry', s.entryRules], ['Exit', s.exitRules], ['Risk', s.riskManagement]] as const) {
        this.log(`\n${label}:\n${items.map((i) => `  - ${i}`).join('\n')}`);
      }
      this.log(`\nUniverse: ${s.universe.assets.join(', ')} (${s.universe.description})\nExecution: ${s.execution.resolution}, ${s.execution.rebalance}`);
      this.log(`\nParameters:\n${s.parameters.map((p) => `  ${p.name} = ${p.value}  (${p.description})`).join('\n')}`);
      this.log(`\nTokens: ${result.tokens.input} in, ${result.tokens.output} out`);
    }
    return { workflowId, ...result };
  }
}
