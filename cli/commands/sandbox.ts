import { Flags } from '@oclif/core';
import { startSandbox } from '../../sandbox';
import { BaseCommand, SANDBOX_BANNER } from '../base';

export default class Sandbox extends BaseCommand<typeof Sandbox> {
  static override summary = 'Run the local simulators of every external service (CrossRef, arXiv, Unpaywall, PDFs, OpenAI, Anthropic, QuantConnect).';
  static override description =
    'Serves faithful local versions of the services QuantCoder uses, so the whole product runs without accounts or internet. ' +
    'LLM answers are scripted and backtest statistics synthetic (a deterministic function of the code). Point commands at it ' +
    'with --sandbox (or QUANTCODER_PROFILE=sandbox) and QUANTCODER_SANDBOX_URL. Faults can be injected through ' +
    'POST /__sandbox/faults; GET /__sandbox/stats counts requests, backtests and LLM tokens.';
  static override examples = [
    '<%= config.bin %> sandbox',
    '<%= config.bin %> sandbox --port 7481 --state ./sandbox-state.json',
    '<%= config.bin %> sandbox --json',
    `curl -X POST localhost:7480/__sandbox/faults -d '{"service":"openai","kind":"status","status":429,"retryAfter":2,"times":1}'`,
  ];
  static override flags = {
    port: Flags.integer({ summary: 'Port to listen on (0 picks a free one).', default: 7480, min: 0, max: 65535 }),
    host: Flags.string({ summary: 'Address to bind.', default: '127.0.0.1' }),
    state: Flags.string({ summary: 'Keep QuantConnect projects and backtests in this JSON file across restarts.' }),
  };

  // The URL is printed as JSON as soon as the sandbox listens (the command then runs until stopped), not again at exit.
  protected override logJson(): void {}

  async run(): Promise<{ url: string }> {
    const sandbox = await startSandbox({ port: this.flags.port, host: this.flags.host, statePath: this.flags.state });
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
    else {
      this.log(SANDBOX_BANNER);
      this.log(`Sandbox listening on ${sandbox.url}`);
      this.log(`Use it: QUANTCODER_SANDBOX_URL=${sandbox.url} quantcoder <command> --sandbox`);
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sandbox.stop();
    return { url: sandbox.url };
  }
}
