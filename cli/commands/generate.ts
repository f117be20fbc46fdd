import { Args, Flags } from '@oclif/core';
import Run from './run';

export default class Generate extends Run {
  static override summary = 'Generate a LEAN algorithm from a paper (download → summarise → generate → quality gate → repair).';
  static override description =
    'The research pipeline for one paper without QuantConnect: the algorithm passes the syntax check and the LEAN linter, ' +
    'and errors go back to the LLM with their exact message, up to --max-attempts. The faithfulness gate then checks every ' +
    "parameter and rule of the paper's specification is in the code; findings that survive the attempts are printed per article. " +
    'Use `quantcoder run` to compile and backtest too.';
  static override examples = ['<%= config.bin %> generate 1', '<%= config.bin %> generate 2101.00001 --max-attempts 3 --json'];
  static override args = { target: Args.string({ required: true, description: 'A result number of the latest search, a DOI, an arXiv id, or a topic.' }) };
  static override flags = {
    ...Run.flags,
    'local-only': Flags.boolean({ summary: 'Skip QuantConnect (always on for generate).', default: true, hidden: true }),
  };
}
