import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { SERVICE_NAMES, sandboxConfigPatchSchema, type SandboxConfig, type ServiceName } from './config';
import { CATALOGUE, CORPUS_PAPERS } from './corpus/catalogue';
import { FaultBook, faultSpecSchema, type Fault } from './faults';
import { BodyTooLargeError, parseJson, publicBase, readBody, send, sendJson, sendText } from './http';
import { countRequest, sleep, type Exchange, type SandboxRuntime, type SimulatedService } from './service';
import { anthropicService } from './services/anthropic';
import { arxivService } from './services/arxiv';
import { crossrefService, workSlug } from './services/crossref';
import { openaiService } from './services/openai';
import { papersService } from './services/papers';
import { quantconnectService, resumeBuilds } from './services/quantconnect';
import { unpaywallService } from './services/unpaywall';
import type { StateStore } from './state';
import { publicStats } from './stats';

const SERVICES: Record<ServiceName, SimulatedService> = {
  crossref: crossrefService,
  arxiv: arxivService,
  unpaywall: unpaywallService,
  papers: papersService,
  openai: openaiService,
  anthropic: anthropicService,
  quantconnect: quantconnectService,
};

export interface SandboxServer {
  server: http.Server;
  runtime: SandboxRuntime;
  faults: FaultBook;
  configure(patch: Partial<SandboxConfig>): SandboxConfig;
  close(): Promise<void>;
}

/**
 * The sandbox's HTTP server: routes `/<service>/...` to the simulators, counts every request,
 * applies armed faults before the simulator sees the request (or, for lost responses, after it
 * did the work), and serves the control API
 * under `/__sandbox`.
 */
export function createSandboxServer(options: { config: SandboxConfig; store: StateStore; fallbackHost: string }): SandboxServer {
  const config: SandboxConfig = { ...options.config };
  const stopping = new AbortController();
  const store = options.store;
  const runtime: SandboxRuntime = {
    config,
    store,
    get stats() {
      return store.data.stats;
    },
    stopping: stopping.signal,
  };
  const faults = new FaultBook();
  const sockets = new Set<Socket>();

  const configure = (patch: Partial<SandboxConfig>) => Object.assign(config, sandboxConfigPatchSchema.parse(patch));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const base = publicBase(req, options.fallbackHost);
    const segments = url.pathname.split('/');
    const first = segments[1] ?? '';
    const path = segments.slice(2).join('/');
    let bodyPromise: Promise<Buffer> | undefined;
    const ex: Exchange = { req, res, url, base, runtime, body: () => (bodyPromise ??= readBody(req)) };

    if (first === '__sandbox') return control(ex, path);
    if (first === '') return sendJson(res, 200, describe(base));
    const service = (SERVICE_NAMES as readonly string[]).includes(first) ? SERVICES[first as ServiceName] : undefined;
    if (!service) return sendText(res, 404, `No simulated service at /${first}. Services: ${SERVICE_NAMES.map((s) => `/${s}`).join(', ')}`);

    const route = service.route(req.method ?? 'GET', path);
    countRequest(runtime.stats, service.name, route.key);
    const fault = faults.take(service.name, route.key, path.replace(/^(v1|api\/v2)\//, ''));
    if (fault) {
      runtime.stats.faults.applied++;
      runtime.stats.faults.byKind[fault.kind] = (runtime.stats.faults.byKind[fault.kind] ?? 0) + 1;
    }
    store.saveSoon();
    if (fault && (fault.kind === 'lost-reset' || fault.kind === 'lost-hang')) loseResponse(ex, fault.kind);
    else if (fault && (await applyFault(ex, service, route.key, fault)) === 'answered') return;
    await route.handle(ex);
  }

  /**
   * Lets the service do all its work, then loses the answer: whatever the service writes is
   * dropped, and when it finishes the connection is reset (`lost-reset`) or left open without a
   * byte (`lost-hang`, until the client's own timeout gives up or the sandbox stops).
   */
  function loseResponse(ex: Exchange, kind: 'lost-reset' | 'lost-hang'): void {
    const res = ex.res;
    const socket = ex.req.socket;
    const swallow = {
      writeHead: () => res,
      setHeader: () => res,
      write: () => true,
      end: () => {
        if (kind === 'lost-reset') resetSocket(socket);
        return res;
      },
    };
    Object.assign(res, swallow);
  }

  /** Applies a fault; `latency` lets the request go on afterwards, the others answer (or never do). */
  async function applyFault(ex: Exchange, service: SimulatedService, key: string, fault: Fault): Promise<'answered' | 'continue'> {
    switch (fault.kind) {
      case 'latency':
        await sleep(fault.latencyMs ?? 0, stopping.signal);
        return 'continue';
      case 'hang':
        // never answer: the client's own timeout has to give up; stop() destroys the socket
        ex.req.resume();
        return 'answered';
      case 'reset':
        resetSocket(ex.req.socket);
        return 'answered';
      case 'malformed': {
        const canned = service.malformedBody(key);
        send(ex.res, 200, canned.contentType, canned.body, canned.headers);
        return 'answered';
      }
      case 'lost-reset':
      case 'lost-hang':
        return 'continue';
      case 'status': {
        const status = fault.status ?? 500;
        const canned = service.errorBody(status, `Injected fault: HTTP ${status}`);
        const headers: Record<string, string> = { ...canned.headers };
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
        // a body still on the wire would be read as the next request on a kept-alive socket
        ex.req.resume();
        send(ex.res, status, canned.contentType, canned.body, headers);
        return 'answered';
      }
    }
  }

  async function control(ex: Exchange, path: string): Promise<void> {
    const method = ex.req.method ?? 'GET';
    const json = async () => {
      const parsed = parseJson(await ex.body());
      if (!parsed.ok) throw new ControlError('The body is not valid JSON');
      return parsed.value ?? {};
    };
    try {
      if (path === '' && method === 'GET') return sendJson(ex.res, 200, describe(ex.base));
      if (path === 'health') return sendJson(ex.res, 200, { ok: true });
      if (path === 'config' && method === 'GET') return sendJson(ex.res, 200, config);
      if (path === 'config' && method === 'POST') {
        const parsed = sandboxConfigPatchSchema.safeParse(await json());
        if (!parsed.success) throw new ControlError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
        Object.assign(config, parsed.data);
        return sendJson(ex.res, 200, config);
      }
      if (path === 'faults' && method === 'GET') return sendJson(ex.res, 200, { faults: faults.list() });
      if (path === 'faults' && method === 'POST') {
        const parsed = faultSpecSchema.safeParse(await json());
        if (!parsed.success) throw new ControlError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
        return sendJson(ex.res, 201, faults.add(parsed.data));
      }
      if (path === 'faults' && method === 'DELETE') {
        faults.clear();
        return sendJson(ex.res, 200, { faults: [] });
      }
      if (path.startsWith('faults/') && method === 'DELETE') {
        const removed = faults.remove(decodeURIComponent(path.slice('faults/'.length)));
        return sendJson(ex.res, removed ? 200 : 404, { removed });
      }
      if (path === 'stats' && method === 'GET') return sendJson(ex.res, 200, publicStats(runtime.stats));
      if (path === 'reset' && method === 'POST') {
        const body = (await json()) as { state?: unknown; faults?: unknown };
        store.resetStats();
        if (body.faults !== false) faults.clear();
        if (body.state === true) store.resetQuantConnect();
        return sendJson(ex.res, 200, { reset: true, state: body.state === true, faults: body.faults !== false });
      }
      if (path === 'corpus' && method === 'GET') {
        return sendJson(ex.res, 200, {
          papers: CORPUS_PAPERS.map((p) => ({
            slug: p.slug,
            family: p.family,
            title: p.title,
            doi: p.doi,
            arxivId: p.arxivId,
            pdfUrl: `${ex.base}/papers/${p.slug}.pdf`,
            landingUrl: `${ex.base}/papers/landing/${p.slug}`,
            arxivPdfUrl: `${ex.base}/arxiv/pdf/${p.arxivId}v${p.arxivVersion}`,
          })),
          works: CATALOGUE.map((w) => ({ doi: w.doi, title: w.title, oaStatus: w.oaStatus, pdfRoute: w.pdfRoute, slug: workSlug(w) })),
        });
      }
      sendJson(ex.res, 404, { error: `No control endpoint ${method} /__sandbox/${path}` });
    } catch (err) {
      if (err instanceof ControlError) return sendJson(ex.res, 400, { error: err.message });
      throw err;
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      const status = err instanceof BodyTooLargeError ? 413 : 500;
      const first = new URL(req.url ?? '/', 'http://sandbox.invalid').pathname.split('/')[1] ?? '';
      const service = (SERVICE_NAMES as readonly string[]).includes(first) ? SERVICES[first as ServiceName] : undefined;
      const message = `Sandbox failure: ${(err as Error).message}`;
      if (!service) return sendText(res, status, message);
      const canned = service.errorBody(status, message);
      send(res, status, canned.contentType, canned.body, canned.headers);
    });
  });
  // Idle connections stay open a minute, as the load balancers in front of these APIs keep them.
  // With Node's 5 s, a client that reused a connection after a pause (an event loop busy for
  // seconds on a loaded machine) raced the server closing it and got a reset no real API would
  // have sent; deliberate resets are the fault injector's (resetSocket).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  resumeBuilds(runtime);

  return {
    server,
    runtime,
    faults,
    configure,
    close: () =>
      new Promise<void>((resolve) => {
        stopping.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }),
  };
}

class ControlError extends Error {}

/** Closes the connection with a TCP reset, as a crashed proxy or a dropped link does. */
function resetSocket(socket: Socket): void {
  const s = socket as Socket & { resetAndDestroy?: () => void };
  if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
  else s.destroy();
}

function describe(base: string) {
  return {
    name: 'QuantCoder sandbox',
    services: Object.fromEntries(
      SERVICE_NAMES.map((s) => [s, s === 'openai' ? `${base}/openai/v1` : s === 'quantconnect' ? `${base}/quantconnect/api/v2` : s === 'arxiv' ? `${base}/arxiv` : `${base}/${s}`]),
    ),
    control: { config: `${base}/__sandbox/config`, faults: `${base}/__sandbox/faults`, stats: `${base}/__sandbox/stats`, reset: `${base}/__sandbox/reset`, corpus: `${base}/__sandbox/corpus` },
  };
}
