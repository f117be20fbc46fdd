import { Flags } from '@oclif/core';
import { Connection } from '@temporalio/client';
import { startSandbox } from '../../sandbox';
import { BaseCommand } from '../base';
import { forgetDevServer, recordDevServer, webUiBase } from '../web-ui';
import { createLogger, startWorkerProcess, type WorkerProcess } from '../../worker';
import { startDevServer, type DevServer } from '../../worker/temporal-server';
import { installRuntime } from '../../worker/runtime';

async function serverAnswers(address: string): Promise<boolean> {
  try {
    const c = await Connection.connect({ address, connectTimeout: '1 second' });
    await c.close();
    return true;
  } catch {
    return false;
  }
}

async function sandboxAnswers(origin: string): Promise<boolean> {
  try {
    const res = await fetch(`${origin}/__sandbox/stats`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

export default class Dev extends BaseCommand<typeof Dev> {
  static override summary = 'Run a local Temporal dev server, its Web UI and a QuantCoder worker, all in one.';
  static override description =
    "Starts `temporal server start-dev` with its state in $QUANTCODER_HOME/temporal.db (runs survive a restart), the Web UI, and a " +
    'worker. If a server already answers on the port, it is reused. Ctrl-C (or SIGTERM) stops the worker, then the server.';
  static override examples = [
    '<%= config.bin %> dev',
    '<%= config.bin %> dev --sandbox',
    '<%= config.bin %> dev --port 7300 --ui-port 8300',
    '<%= config.bin %> dev --no-worker',
  ];
  static override enableJsonFlag = false;
  static override flags = {
    port: Flags.integer({ summary: 'Temporal frontend port.', default: 7233 }),
    'ui-port': Flags.integer({ summary: 'Web UI port.', default: 8233 }),
    ip: Flags.string({ summary: 'Address the server binds to.', default: '127.0.0.1' }),
    worker: Flags.boolean({ summary: 'Also run a worker.', default: true, allowNo: true }),
    'db-file': Flags.string({ summary: 'Where the dev server keeps its state (default: $QUANTCODER_HOME/temporal.db).' }),
  };

  async run(): Promise<void> {
    const address = `${this.flags.ip}:${this.flags.port}`;
    this.settings.config.temporal.address = address;
    const { logging } = this.settings.config;
    const logger = createLogger({ level: logging.level, format: logging.format, file: this.settings.layout.log, secrets: this.settings.secrets });

    // The runtime must exist before the dev server: both share Temporal's native runtime.
    installRuntime(logger, this.settings.config.metrics.address);
    let server: DevServer | undefined;
    let uiUrl = webUiBase(this.settings);
    if (await serverAnswers(address)) {
      this.log(`Reusing the Temporal server already listening on ${address}.`);
    } else {
      const started = await startDevServer({
        ip: this.flags.ip,
        port: this.flags.port,
        ui: true,
        uiPort: this.flags['ui-port'],
        namespace: this.settings.config.temporal.namespace,
        dbFile: this.flags['db-file'] ?? this.settings.layout.temporalDb,
      });
      server = started.env;
      uiUrl = `http://${this.flags.ip === '0.0.0.0' ? 'localhost' : this.flags.ip}:${this.flags['ui-port']}`;
      // clients of this server (same QUANTCODER_HOME) link to where its UI really listens
      recordDevServer(this.settings.layout.home, { address, uiUrl });
      logger.info({ address, binary: started.resolved.path ?? started.resolved.source }, 'temporal dev server started');
      this.log(`Temporal server: ${address} (binary from ${started.resolved.source}${started.resolved.path ? `: ${started.resolved.path}` : ''})`);
    }
    this.log(`Web UI:          ${uiUrl}`);

    let sandbox: { url: string; stop(): Promise<void> } | undefined;
    if (this.settings.config.profile === 'sandbox') {
      const url = new URL(this.settings.config.sandbox.url);
      if (await sandboxAnswers(url.origin)) this.log(`Sandbox:         reusing ${url.origin}`);
      else {
        sandbox = await startSandbox({ port: Number(url.port || 80), host: url.hostname });
        this.log(`Sandbox:         ${sandbox.url}`);
      }
    }

    let worker: WorkerProcess | undefined;
    const stopped = new Promise<void>((resolve) => {
      const stop = () => {
        this.log('Stopping…');
        if (worker) worker.shutdown();
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    try {
      if (this.flags.worker) {
        worker = await startWorkerProcess(this.settings, logger);
        this.log(`Worker:          polling "${this.taskQueue}"`);
      }
      this.log('Ready. Ctrl-C to stop.');
      await stopped;
      await worker?.done;
    } finally {
      await sandbox?.stop();
      if (server) {
        forgetDevServer(this.settings.layout.home, address);
        await server.teardown();
        this.log('Temporal server stopped.');
      }
    }
    // everything dev started is stopped; the native runtime it installed would keep the process alive
    process.exit(0);
  }
}
