import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/** A loopback HTTP server for a test, recording every request it receives. */
export async function fakeHttp(handler: Handler): Promise<{ url: string; requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>; setHandler(h: Handler): void; close(): Promise<void> }> {
  let current = handler;
  const requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
      current(req, res, body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setHandler: (h) => (current = h),
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

/** A CrossRef `/works` answer with the given titles, in CrossRef's real envelope. */
export function crossrefWorks(titles: string[]): string {
  return JSON.stringify({
    status: 'ok',
    'message-type': 'work-list',
    'message-version': '1.0.0',
    message: {
      'total-results': titles.length,
      'items-per-page': titles.length,
      query: { 'start-index': 0, 'search-terms': 'q' },
      items: titles.map((title, i) => ({
        DOI: `10.1234/QC.${i + 1}`,
        URL: `https://doi.org/10.1234/qc.${i + 1}`,
        title: [title],
        author: [{ given: 'Ada', family: `Author${i}`, sequence: 'first', affiliation: [] }],
        ...(i % 2 === 0 ? { 'published-print': { 'date-parts': [[2020 + i, 3]] } } : { issued: { 'date-parts': [[2019]] } }),
        ...(i === 0 ? { abstract: '<jats:title>Abstract</jats:title><jats:p>Momentum &amp; trend.</jats:p>' } : {}),
      })),
    },
  });
}
