import { Args } from '@oclif/core';
import { WorkflowNotFoundError } from '@temporalio/client';
import { BaseCommand } from '../../base';
import { UserError } from '../../errors';
import { libraryNames, libraryReport, type LibraryCategoryReport } from '../../../store/library';
import { learningStoreLocation, openLearningStoreReadOnly } from '../../../store/open';
import type { LibraryResult, LibraryStatus } from '../../../domain/library';
import { libraryStatusQuery } from '../../../workflows/library';
import { libraryName, libraryWorkflowId, renderCategories } from './build';
import { runState, RUN_STATES_HELP } from '../../run-states';

export interface LibraryStatusOutput {
  name: string;
  /** The build's workflow, when the Temporal server knows it. */
  build: { id: string; status: string; reason: string | null } | null;
  /** Per category: what the build reports while it runs, else what the learning database holds. */
  categories: Array<LibraryCategoryReport & { target: number | null; state: string | null; runs: number | null }>;
  accepted: number;
}

export default class LibraryStatusCommand extends BaseCommand<typeof LibraryStatusCommand> {
  static override summary = 'Show a library per category: done, failed, best and mean Sharpe.';
  static override description =
    'While the build runs, its live progress comes from the workflow (done against the target, rejected, failed, child runs, ' +
    'the child in flight); otherwise from the learning database, which keeps every accepted strategy and every paper ' +
    'tried of every build of the library. "Done" counts accepted strategies, "Rejected" backtested ones below the Sharpe ' +
    'bar, "Failed" papers without a working algorithm.\n\n' +
    RUN_STATES_HELP;
  static override examples = ['<%= config.bin %> library status', '<%= config.bin %> library status equities --json'];
  static override args = { name: Args.string({ required: false, description: 'The library name (default: the latest built).' }) };

  async run(): Promise<LibraryStatusOutput> {
    const prisma = await openLearningStoreReadOnly(learningStoreLocation(this.settings));
    try {
      const name = this.args.name ? libraryName(this.args.name) : ((prisma && (await libraryNames(prisma))[0]) ?? 'default');
      const report = prisma ? await libraryReport(prisma, name) : { library: name, builds: [], categories: [], accepted: 0 };
      const live = await this.liveBuild(name);
      if (!live && !report.builds.length) throw new UserError(`No library "${name}" yet: build one with \`quantcoder library build ${name}\``);

      let categories: LibraryStatusOutput['categories'];
      if (live?.status) {
        categories = live.status.categories.map((c) => ({ category: c.id, accepted: c.accepted, rejected: c.rejected, failed: c.failed, bestSharpe: c.bestSharpe, meanSharpe: c.meanSharpe, target: c.target, state: c.inFlight ? `running ${c.inFlight}` : c.state, runs: c.runs }));
      } else {
        const targets = new Map((live?.result?.categories ?? []).map((c) => [c.id, c]));
        categories = report.categories.map((c) => ({ ...c, target: targets.get(c.category)?.target ?? null, state: targets.get(c.category)?.state ?? null, runs: targets.get(c.category)?.runs ?? null }));
      }
      const out: LibraryStatusOutput = {
        name,
        build: live ? { id: live.id, status: runState(live.state), reason: live.status?.stopReason ?? live.result?.reason ?? null } : null,
        categories,
        accepted: categories.reduce((s, c) => s + c.accepted, 0),
      };
      if (!this.jsonEnabled()) {
        this.log(`Library ${name}${out.build ? ` — ${out.build.id}: ${out.build.status}${out.build.reason ? ` (${out.build.reason})` : ''}` : ''}`);
        this.log(renderCategories(categories.map((c) => ({ ...c, id: c.category, runs: c.runs ?? undefined, state: c.state ?? undefined }))));
        // `library export` refuses a library with no accepted strategy: only suggest what will work
        this.log(out.accepted ? `${out.accepted} accepted strategies. Export them with: quantcoder library export ${name}` : 'No accepted strategy yet: nothing to export.');
      }
      return out;
    } finally {
      await prisma?.$disconnect();
    }
  }

  /** The build workflow's live status (while it runs) or result (once it completed), if the server has it. */
  private async liveBuild(name: string): Promise<{ id: string; state: string; status: LibraryStatus | null; result: LibraryResult | null } | null> {
    const id = libraryWorkflowId(name);
    let client;
    try {
      client = await this.temporal();
    } catch {
      return null; // no server: the learning database still answers
    }
    const handle = client.workflow.getHandle(id);
    try {
      const description = await handle.describe();
      const state = description.status.name;
      // a query needs a worker; without one the learning database still answers
      if (state === 'RUNNING') return { id, state, status: await handle.query(libraryStatusQuery).catch(() => null), result: null };
      if (state === 'COMPLETED') return { id, state, status: null, result: (await handle.result()) as LibraryResult };
      return { id, state, status: null, result: null };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || (err as Error).name === 'WorkflowNotFoundError') return null;
      throw err;
    }
  }
}
