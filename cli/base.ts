import { randomUUID } from 'node:crypto';
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { runId } from '../domain/ids';
import { WORKFLOW_TASK_TIMEOUT } from '../domain/run-settings';
import type { Client } from '@temporalio/client';
import { loadSettings, type Settings } from '../config/settings';
import { isKnownError } from './errors';
import { webUiBase } from './web-ui';

// Temporal's client loads with the first command that talks to the server: a command that only
// reads configuration or the learning database starts in about half the time.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const temporalCli = () => require('./temporal') as typeof import('./temporal');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const temporalClient = () => require('@temporalio/client') as typeof import('@temporalio/client');

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

export const SANDBOX_BANNER =
  'SANDBOX MODE: services are local simulators; LLM answers are scripted and backtest statistics are synthetic.';

/**
 * Shared flags and behaviour of every QuantCoder command: Temporal connection flags, the sandbox
 * profile, `--json`, settings loading, and known errors turned into one-line messages.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    address: Flags.string({ summary: 'Temporal server address (host:port).', env: 'TEMPORAL_ADDRESS', helpGroup: 'TEMPORAL' }),
    namespace: Flags.string({ summary: 'Temporal namespace.', env: 'TEMPORAL_NAMESPACE', helpGroup: 'TEMPORAL' }),
    'task-queue': Flags.string({ summary: 'Base task queue QuantCoder workers poll.', env: 'QUANTCODER_TASK_QUEUE', helpGroup: 'TEMPORAL' }),
    sandbox: Flags.boolean({
      summary: 'Use the local sandbox simulators instead of the real services (same as QUANTCODER_PROFILE=sandbox).',
      helpGroup: 'PROFILE',
    }),
  };

  protected flags!: BaseFlags<T>;
  protected args!: BaseArgs<T>;
  protected settings!: Settings;
  private client?: Client;

  public override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as BaseFlags<T>;
    this.args = args as BaseArgs<T>;
    this.settings = loadSettings(process.env, {
      TEMPORAL_ADDRESS: this.flags.address,
      TEMPORAL_NAMESPACE: this.flags.namespace,
      QUANTCODER_TASK_QUEUE: this.flags['task-queue'],
      QUANTCODER_PROFILE: this.flags.sandbox ? 'sandbox' : undefined,
    });
    if (this.settings.config.profile === 'sandbox') this.showSandboxBanner();
    for (const w of this.settings.warnings) this.note(`Warning: ${w}`);
  }

  private bannerShown = false;

  /** Says, once, that results come from the simulators. */
  protected showSandboxBanner(): void {
    if (this.bannerShown) return;
    this.bannerShown = true;
    this.note(SANDBOX_BANNER);
  }

  /**
   * Whether results are simulated is the workers' business, not this client's flags: a run's
   * result says `simulated: true` when the worker that ran its activities used the simulators.
   */
  protected noteSimulated(result: unknown): void {
    if ((result as { simulated?: unknown } | null)?.simulated === true) this.showSandboxBanner();
  }

  /** A line for the person at the terminal, on stderr even with --json (stdout then holds only the JSON). */
  protected note(line: string): void {
    process.stderr.write(`${line}\n`);
  }

  protected get temporalAddress(): string {
    return this.settings.config.temporal.address;
  }

  protected get taskQueue(): string {
    return this.settings.config.temporal.taskQueue;
  }

  /** A Temporal client on the configured server, connected once per command. */
  protected async temporal(): Promise<Client> {
    this.client ??= await temporalCli().connectClient(this.temporalAddress, this.settings.config.temporal.namespace);
    return this.client;
  }

  /** Fails with a clear message when no worker polls the workflow queue. */
  protected async requireWorker(waitMs?: number): Promise<void> {
    const profiles = await temporalCli().requireWorker(await this.temporal(), this.taskQueue, waitMs);
    // the workers that will run this command's activities simulate the services: say so before anything
    if (profiles.includes('sandbox')) this.showSandboxBanner();
  }

  /** Runs one pipeline step as its own durable workflow and waits for its result. */
  protected async executeStep<R>(workflowType: string, label: string, args: unknown[]): Promise<{ workflowId: string; result: R }> {
    const client = await this.temporal();
    await this.requireWorker();
    const workflowId = runId(workflowType.replace(/Step$/, ''), label, randomUUID());
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RUN_KIND, RUN_TOPIC } = require('../domain/search-attributes') as typeof import('../domain/search-attributes');
    const result = (await client.workflow.execute(workflowType, {
      taskQueue: this.taskQueue,
      workflowId,
      args,
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
      typedSearchAttributes: [
        { key: RUN_KIND, value: 'step' },
        { key: RUN_TOPIC, value: label },
      ],
    })) as R;
    this.noteSimulated(result);
    return { workflowId, result };
  }

  /** A link to a workflow's page in the Temporal Web UI. */
  protected webUiLink(workflowId: string): string {
    const base = webUiBase(this.settings);
    return `${base}/namespaces/${encodeURIComponent(this.settings.config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    // only a command that loaded Temporal's client meets its errors (they carry their class's name)
    if (err?.name === 'WorkflowFailedError' || err?.name === 'WorkflowUpdateFailedError') {
      const { WorkflowFailedError, WorkflowUpdateFailedError } = temporalClient();
      const { describeFailure } = temporalCli();
      if (err instanceof WorkflowFailedError) {
        const { type, message } = describeFailure(err);
        return super.catch(new Errors.CLIError(`Run failed${type ? ` (${type})` : ''}: ${message}`, { exit: 1 }));
      }
      if (err instanceof WorkflowUpdateFailedError) return super.catch(new Errors.CLIError(`Refused: ${describeFailure(err).message}`, { exit: 1 }));
    }
    if (isKnownError(err)) return super.catch(new Errors.CLIError(err.message, { exit: 1 }));
    return super.catch(err);
  }

  /** `--json` errors: the message (and a code when there is one), without oclif's internals. */
  protected override toErrorJson(err: unknown): { error: { message: string; code?: string } } {
    const e = err as { message?: unknown; code?: unknown };
    const message = typeof e?.message === 'string' ? e.message : String(err);
    return { error: { message, ...(typeof e?.code === 'string' ? { code: e.code } : {}) } };
  }

  protected override async finally(err: Error | undefined): Promise<unknown> {
    await this.client?.connection.close().catch(() => undefined);
    return super.finally(err);
  }
}
