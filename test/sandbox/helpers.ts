import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { SANDBOX_CREDENTIALS } from '../../domain/services';

/** QuantConnect's auth headers, computed here independently of the code under test. */
export function qcAuthHeaders(opts: { userId?: string; token?: string; timestamp?: number } = {}): Record<string, string> {
  const userId = opts.userId ?? SANDBOX_CREDENTIALS.quantconnectUserId;
  const token = opts.token ?? SANDBOX_CREDENTIALS.quantconnectApiToken;
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const hash = createHash('sha256').update(`${token}:${timestamp}`).digest('hex');
  return { Timestamp: timestamp, Authorization: `Basic ${Buffer.from(`${userId}:${hash}`).toString('base64')}` };
}

export interface QcAnswer {
  status: number;
  json: Record<string, any>;
}

/** One QuantConnect API call with undici, as a real client makes it. */
export async function qc(base: string, endpoint: string, body: Record<string, unknown> = {}, auth: Parameters<typeof qcAuthHeaders>[0] = {}): Promise<QcAnswer> {
  const res = await request(`${base}/quantconnect/api/v2/${endpoint}`, {
    method: 'POST',
    headers: { ...qcAuthHeaders(auth), 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, any> };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(poll: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await poll();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function getText(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const res = await request(url, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

export async function getJson(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any }> {
  const { status, headers, text } = await getText(url);
  return { status, headers, json: JSON.parse(text) };
}

export async function postJson(url: string, body: unknown, method: 'POST' | 'DELETE' = 'POST'): Promise<{ status: number; json: any }> {
  const res = await request(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.statusCode, json: await res.body.json() };
}

/** Text of a PDF as pdfjs-dist extracts it, lines joined by newlines. */
export async function pdfText(bytes: Uint8Array): Promise<{ pages: number; text: string }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0, useSystemFonts: false, isEvalSupported: false });
  try {
    const doc = await task.promise;
    let text = '';
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent();
      for (const item of content.items) if ('str' in item) text += item.str + (item.hasEOL ? '\n' : ' ');
      text += '\n';
    }
    return { pages: doc.numPages, text };
  } finally {
    // a document that failed to load must be torn down too, or its worker outlives the test
    await task.destroy();
  }
}

/** The body of the first fenced block of an answer. */
export function fenceBody(answer: string): string {
  const m = /```[\w-]*\n([\s\S]*?)\n```/.exec(answer);
  if (!m) throw new Error(`no fenced block in: ${answer.slice(0, 200)}`);
  return m[1]!;
}

/** CPython's verdict on many programs at once (one interpreter start instead of one per program). */
export function pythonParses(codes: string[]): boolean[] {
  const script = 'import ast, json, sys\nout = []\nfor src in json.load(sys.stdin):\n    try:\n        ast.parse(src)\n        out.append(True)\n    except SyntaxError:\n        out.append(False)\nprint(json.dumps(out))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(codes) }).toString()) as boolean[];
}
