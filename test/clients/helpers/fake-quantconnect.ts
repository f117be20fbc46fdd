import { createHash } from 'node:crypto';
import type http from 'node:http';
import { sendJson, startServer, type RecordedRequest, type TestServer } from './server';

export const QC_USER = '424242';
export const QC_TOKEN = 'test-qc-token';

interface Project {
  projectId: number;
  name: string;
  files: Map<string, string>;
}

interface Backtest {
  backtestId: string;
  name: string;
  /** Successive read answers; the last one repeats. */
  script: Array<Record<string, unknown>>;
  reads: number;
}

/**
 * A small stateful QuantConnect API v2 in the real service's forms: failures as HTTP 200 with
 * `success: false`, the auth hash checked against the Timestamp header, compile states, and
 * backtests whose `statistics` is `[]` until they finish. Tests steer it through the fields below.
 */
export class FakeQuantConnect {
  server!: TestServer;
  projects: Project[] = [];
  backtests = new Map<string, Backtest>();
  nextProjectId = 1000;
  /** States compile/read walks through (the last repeats). */
  compileStates: string[] = ['InQueue', 'BuildSuccess'];
  compileLogs: string[] = [];
  compileReads = 0;
  /** Script for the next backtest created. */
  backtestScript: Array<Record<string, unknown>> = [];
  /** One-off answers by endpoint, consumed in order before normal handling. */
  overrides = new Map<string, Array<(res: http.ServerResponse, raw: http.IncomingMessage) => void>>();
  authFailures: string[] = [];

  async start(): Promise<this> {
    this.server = await startServer((req, res, raw) => this.handle(req, res, raw));
    return this;
  }

  get baseUrl(): string {
    return `${this.server.url}/api/v2`;
  }

  calls(endpoint?: string): RecordedRequest[] {
    return this.server.requests.filter((r) => !endpoint || r.path === `/api/v2/${endpoint}`);
  }

  override(endpoint: string, ...answers: Array<(res: http.ServerResponse, raw: http.IncomingMessage) => void>): void {
    this.overrides.set(endpoint, [...(this.overrides.get(endpoint) ?? []), ...answers]);
  }

  private authorised(req: RecordedRequest): string | null {
    const ts = String(req.headers.timestamp ?? '');
    const auth = String(req.headers.authorization ?? '');
    if (!/^\d+$/.test(ts) || Math.abs(Number(ts) - Date.now() / 1000) > 30) return "Hash doesn't match.";
    const [user, hash] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8').split(':');
    if (user !== QC_USER) return `UserID not valid: ${user}`;
    const expected = createHash('sha256').update(`${QC_TOKEN}:${ts}`).digest('hex');
    return hash === expected ? null : "Hash doesn't match.";
  }

  private handle(req: RecordedRequest, res: http.ServerResponse, raw: http.IncomingMessage): void {
    const endpoint = req.path.replace(/^\/api\/v2\//, '');
    const queued = this.overrides.get(endpoint);
    if (queued && queued.length > 0) {
      queued.shift()!(res, raw);
      return;
    }
    if (req.method !== 'POST') return sendJson(res, 405, { success: false, errors: ['POST only'] });
    const authError = this.authorised(req);
    if (authError) return sendJson(res, 200, { success: false, errors: [authError] });
    const body = (req.body ? JSON.parse(req.body) : {}) as Record<string, unknown>;
    const ok = (data: Record<string, unknown> = {}) => sendJson(res, 200, { success: true, errors: [], ...data });
    const fail = (message: string) => sendJson(res, 200, { success: false, errors: [message] });
    const project = this.projects.find((p) => p.projectId === body.projectId);
    const view = (p: Project) => ({ projectId: p.projectId, name: p.name, language: 'Py', created: '2024-01-01 00:00:00', modified: '2024-01-01 00:00:00' });

    switch (endpoint) {
      case 'authenticate':
        return ok();
      case 'projects/create': {
        const p: Project = { projectId: this.nextProjectId++, name: String(body.name), files: new Map([['main.py', '# default\n'], ['research.ipynb', '{}']]) };
        this.projects.push(p);
        return ok({ projects: [view(p)] });
      }
      case 'projects/read':
        if (body.projectId === undefined) return ok({ projects: this.projects.map(view), versions: [] });
        return project ? ok({ projects: [view(project)] }) : fail(`Project not found: ${String(body.projectId)}`);
      case 'projects/delete':
        this.projects = this.projects.filter((p) => p !== project);
        return project ? ok() : fail('Project not found');
      case 'files/read':
        if (!project) return fail('Project not found');
        return ok({ files: [...project.files].map(([name, content]) => ({ name, content, modified: '2024-01-01 00:00:00', isLibrary: false })) });
      case 'files/create':
        if (!project) return fail('Project not found');
        if (project.files.has(String(body.name))) return fail('File already exist in the project');
        project.files.set(String(body.name), String(body.content));
        return ok({ files: [{ name: body.name, content: body.content }] });
      case 'files/update':
        if (!project) return fail('Project not found');
        if (!project.files.has(String(body.name))) return fail('File not found');
        project.files.set(String(body.name), String(body.content));
        return ok();
      case 'compile/create':
        if (!project) return fail('Project not found');
        this.compileReads = 0;
        return ok({ compileId: `c-${project.projectId}-1`, state: 'InQueue', logs: [] });
      case 'compile/read': {
        const state = this.compileStates[Math.min(this.compileReads++, this.compileStates.length - 1)]!;
        return ok({ compileId: body.compileId, state, logs: state === 'BuildError' ? this.compileLogs : [] });
      }
      case 'backtests/create': {
        if (!project) return fail('Project not found');
        const b: Backtest = { backtestId: `bt${this.backtests.size + 1}`, name: String(body.backtestName), script: this.backtestScript, reads: 0 };
        this.backtests.set(b.backtestId, b);
        return ok({ backtest: { backtestId: b.backtestId, name: b.name, status: 'In Queue...', completed: false, progress: 0, statistics: [], runtimeStatistics: {} } });
      }
      case 'backtests/read': {
        const b = this.backtests.get(String(body.backtestId));
        if (!b) return fail('Backtest not found');
        const step = b.script[Math.min(b.reads++, b.script.length - 1)] ?? {};
        return ok({ backtest: { backtestId: b.backtestId, name: b.name, error: null, stacktrace: null, statistics: [], ...step } });
      }
      case 'backtests/list':
        return ok({ backtests: [...this.backtests.values()].map((b) => ({ backtestId: b.backtestId, name: b.name, status: 'Completed.', completed: true, progress: 1 })) });
      case 'backtests/delete':
        return this.backtests.delete(String(body.backtestId)) ? ok() : fail('Backtest not found');
      default:
        return sendJson(res, 404, { success: false, errors: [`Unknown endpoint ${endpoint}`] });
    }
  }
}
