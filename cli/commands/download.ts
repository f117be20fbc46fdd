import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base';
import { describeTarget } from '../../domain/targets';
import { commandTarget } from '../targets';
import { runSettings } from '../../domain/run-settings';
import type { Paper } from '../../domain/papers';

export default class Download extends BaseCommand<typeof Download> {
  static override summary = "Download a paper's PDF (result number, DOI or arXiv id) as a durable workflow.";
  static override description =
    'DOIs go through Unpaywall to an open-access PDF, then the publisher link; arXiv ids fetch the arXiv PDF. Only real PDFs ' +
    'are kept (a landing page, a corrupt or oversized PDF, or a redirect loop is refused with the reason), written atomically ' +
    'under $QUANTCODER_HOME/downloads.';
  static override examples = ['<%= config.bin %> download 1', '<%= config.bin %> download 10.1016/j.jfineco.2011.11.003', '<%= config.bin %> download 2101.00001 --json'];
  static override args = {
    target: Args.string({ required: true, description: 'A result number of the latest search, a DOI, an arXiv id, a PDF file, or a link to a PDF or its landing page.' }),
  };
  static override flags = {
    pdf: Flags.string({ summary: 'Your own copy of the paper whose DOI is the target (closed access).', helpValue: 'FILE' }),
  };

  async run(): Promise<{ workflowId: string; paper: Paper; path: string; bytes: number; sha256: string }> {
    const target = await commandTarget(this.args.target, this.flags.pdf, this.settings);
    const { workflowId, result } = await this.executeStep<{ paper: Paper; path: string; bytes: number; sha256: string }>('downloadStep', describeTarget(target), [
      { target, settings: runSettings(this.settings.config) },
    ]);
    // a PDF the user handed over is named relative to the downloads directory (workflow history holds no machine paths)
    const file = path.resolve(this.settings.layout.downloads, result.path);
    if (!this.jsonEnabled()) this.log(`${result.paper.title}\n→ ${file} (${(result.bytes / 1024).toFixed(0)} KB)`);
    return { workflowId, ...result, path: file };
  }
}
