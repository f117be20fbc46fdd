import readline from 'node:readline/promises';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { runSettings } from '../../../domain/run-settings';
import type { QuantCoderProject } from '../../../workflows/projects';

export default class ProjectsPrune extends BaseCommand<typeof ProjectsPrune> {
  static override summary = 'Delete the QuantConnect projects QuantCoder created (all of them, or one run\'s).';
  static override description =
    'Lists the projects in the "QuantCoder/" folder of your QuantConnect account (only those; your own projects are ' +
    'never touched), shows what it will delete and asks for confirmation unless --yes; without a terminal and without ' +
    '--yes it refuses. --run keeps the deletion to the projects of one run (e.g. evolve-momentum). Deleting the ' +
    'projects of a run that is still going makes its next compile fail: stop it first.';
  static override examples = [
    '<%= config.bin %> projects prune',
    '<%= config.bin %> projects prune --run evolve-momentum --yes',
    '<%= config.bin %> projects prune --yes --json',
  ];
  static override flags = {
    run: Flags.string({ summary: 'Only the projects of this run id.' }),
    yes: Flags.boolean({ char: 'y', summary: 'Do not ask for confirmation.', default: false }),
  };

  async run(): Promise<{ deleted: number[]; alreadyGone: number[] }> {
    const settings = runSettings(this.settings.config);
    const { result: all } = await this.executeStep<QuantCoderProject[]>('listProjectsStep', 'quantconnect-projects', [{ settings }]);
    const runFolder = this.flags.run ? `QuantCoder/${this.flags.run}-` : null;
    const doomed = runFolder ? all.filter((p) => p.name.startsWith(runFolder)) : all;
    if (!doomed.length) {
      this.log(runFolder ? `QuantCoder has no projects of ${this.flags.run} in this QuantConnect account.` : 'QuantCoder has no projects in this QuantConnect account.');
      return { deleted: [], alreadyGone: [] };
    }
    this.log(`Will delete ${doomed.length} QuantConnect project(s):\n${doomed.map((p) => `  ${p.projectId}  ${p.name}`).join('\n')}`);
    if (!this.flags.yes) await this.confirm();
    const { result } = await this.executeStep<{ deleted: number[]; alreadyGone: number[] }>('deleteProjectsStep', 'quantconnect-projects', [
      { projectIds: doomed.map((p) => p.projectId), settings },
    ]);
    this.log(`Deleted ${result.deleted.length} project(s)${result.alreadyGone.length ? ` (${result.alreadyGone.length} were already gone)` : ''}.`);
    return result;
  }

  private async confirm(): Promise<void> {
    if (!process.stdin.isTTY) throw new UserError('Refusing to delete without confirmation: not running in a terminal. Re-run with --yes to confirm.');
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = (await rl.question('Delete these projects? [y/N] ')).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') throw new UserError('Cancelled: nothing was deleted.');
    } finally {
      rl.close();
    }
  }
}
