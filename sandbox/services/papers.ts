import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { CATALOGUE, paperBySlug } from '../corpus/catalogue';
import { paperPdf } from '../corpus/render';
import { escapeHtml, send, sendHtml } from '../http';
import type { CannedBody, Exchange, SimulatedService } from '../service';
import { workSlug } from './crossref';

/**
 * Publisher-side files: the corpus PDFs (`/papers/{slug}.pdf`), landing pages carrying
 * `citation_pdf_url`, and the traps a downloader must survive: an HTML viewer at a "PDF" URL
 * (`/papers/epdf/...`), a corrupt PDF, a redirect loop, a file larger than the configured cap
 * (with and without Content-Length), and an endless stream.
 */

const PDF_HEADERS = { 'last-modified': 'Tue, 02 Jan 2024 00:00:00 GMT', 'cache-control': 'public, max-age=86400' };

function notFound(ex: Exchange): void {
  sendHtml(ex.res, 404, '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Page not found</h1><p>The requested article could not be found.</p></body></html>');
}

function sendPdf(ex: Exchange, bytes: Buffer): void {
  if (ex.req.method === 'HEAD') {
    ex.res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': bytes.length, ...PDF_HEADERS });
    return void ex.res.end();
  }
  send(ex.res, 200, 'application/pdf', bytes, { ...PDF_HEADERS, 'content-disposition': 'inline' });
}

function landing(ex: Exchange, slug: string): void {
  const paper = paperBySlug(slug);
  const work = CATALOGUE.find((w) => workSlug(w) === slug);
  if (!work) return notFound(ex);
  const pdfUrl = paper ? `${ex.base}/papers/${paper.slug}.pdf` : null;
  const authors = work.authors.map((a) => `<meta name="citation_author" content="${escapeHtml(`${a.family}, ${a.given ?? ''}`.replace(/, $/, ''))}">`).join('');
  sendHtml(
    ex.res,
    200,
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(work.title)} | ${escapeHtml(work.journal)}</title>` +
      `<meta name="citation_title" content="${escapeHtml(work.title)}">${authors}` +
      `<meta name="citation_doi" content="${work.doi}"><meta name="citation_journal_title" content="${escapeHtml(work.journal)}">` +
      (pdfUrl ? `<meta name="citation_pdf_url" content="${pdfUrl}">` : '') +
      `</head><body><header>${escapeHtml(work.publisher)}</header><main><h1>${escapeHtml(work.title)}</h1>` +
      `<p class="authors">${work.authors.map((a) => escapeHtml(`${a.given ?? ''} ${a.family}`.trim())).join(', ')}</p>` +
      (work.abstract || paper ? `<section class="abstract"><h2>Abstract</h2><p>${escapeHtml(paper?.abstract ?? work.abstract!.text)}</p></section>` : '') +
      (pdfUrl ? `<a class="pdf-link" href="${pdfUrl}">Download PDF</a>` : `<a class="purchase" href="${ex.base}/papers/paywall/${slug}">Purchase access to this article</a>`) +
      `</main></body></html>`,
  );
}

/** The trap behind a `url_for_pdf`: an HTML page that embeds the PDF in a viewer. */
function epdf(ex: Exchange, slug: string): void {
  const paper = paperBySlug(slug);
  if (!paper) return notFound(ex);
  sendHtml(
    ex.res,
    200,
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(paper.title)} - ePDF viewer</title>` +
      `<meta name="citation_pdf_url" content="${ex.base}/papers/${paper.slug}.pdf"><script src="/static/viewer.js"></script></head>` +
      `<body><div id="viewer" data-src="${ex.base}/papers/${paper.slug}.pdf">Loading the article viewer&hellip; JavaScript is required.</div></body></html>`,
  );
}

function paywall(ex: Exchange): void {
  sendHtml(ex.res, 403, '<!DOCTYPE html><html><head><title>Access denied</title></head><body><h1>Subscription required</h1><p>Log in or purchase this article to read the full text.</p></body></html>');
}

/** `%PDF-` then deterministic garbage: no objects, no xref, no trailer. */
export function corruptPdf(): Buffer {
  const garbage = Buffer.alloc(8192);
  let seed = createHash('sha256').update('corrupt').digest();
  for (let i = 0; i < garbage.length; i += 32) {
    seed = createHash('sha256').update(seed).digest();
    seed.copy(garbage, i);
  }
  return Buffer.concat([Buffer.from('%PDF-1.7\n%\xb5\xb5\xb5\xb5\n', 'latin1'), garbage]);
}

function redirect(ex: Exchange, status: number, location: string): void {
  ex.res.writeHead(status, { location, 'content-type': 'text/html; charset=utf-8', 'content-length': 0 });
  ex.res.end();
}

const PADDING = Buffer.from(`% ${'padding '.repeat(8)}\n`.repeat(1024), 'latin1');

/**
 * Writes `total` bytes (forever when null) of a PDF-looking stream, respecting backpressure;
 * `declare` sends Content-Length up front, else the body is chunked and a client must count.
 */
async function streamPdf(ex: Exchange, total: number | null, declare: boolean): Promise<void> {
  const res: ServerResponse = ex.res;
  const head = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  res.writeHead(200, { 'content-type': 'application/pdf', ...(total !== null && declare ? { 'content-length': total } : {}) });
  if (ex.req.method === 'HEAD') return void res.end();
  let sent = 0;
  const write = (chunk: Buffer) =>
    new Promise<boolean>((resolve) => {
      if (res.write(chunk)) return resolve(true);
      const done = (ok: boolean) => {
        res.off('drain', onDrain);
        res.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      res.on('drain', onDrain);
      res.on('close', onClose);
    });
  let chunk = total === null ? head : head.subarray(0, Math.min(head.length, total));
  while (chunk.length > 0) {
    if (res.destroyed || ex.runtime.stopping.aborted) return void res.destroy();
    if (!(await write(chunk))) return;
    sent += chunk.length;
    chunk = total === null ? PADDING : PADDING.subarray(0, Math.min(PADDING.length, total - sent));
  }
  res.end();
}

export const papersService: SimulatedService = {
  name: 'papers',
  route(method, path) {
    if (method !== 'GET' && method !== 'HEAD') return { key: 'unsupported', handle: (ex) => sendHtml(ex.res, 405, '<h1>Method not allowed</h1>') };
    const [first = '', second = ''] = path.split('/');
    const oversizedBytes = (ex: Exchange) => ex.runtime.config.maxPdfBytes + 64 * 1024;
    switch (first) {
      case 'landing':
        return { key: 'landing', handle: (ex) => landing(ex, second) };
      case 'epdf':
        return { key: 'epdf', handle: (ex) => epdf(ex, second) };
      case 'paywall':
        return { key: 'paywall', handle: paywall };
      case 'redirect':
        return { key: 'redirect', handle: (ex) => (paperBySlug(second.replace(/\.pdf$/, '')) ? redirect(ex, 301, `${ex.base}/papers/${second}`) : notFound(ex)) };
      case 'corrupt':
      case 'corrupt.pdf':
        return { key: 'corrupt', handle: (ex) => sendPdf(ex, corruptPdf()) };
      case 'loop':
        // a → b → a → …: a client must stop after a bounded number of hops
        return { key: 'loop', handle: (ex) => redirect(ex, 302, `${ex.base}/papers/loop/${second === 'a' ? 'b' : 'a'}${ex.url.search}`) };
      case 'oversized':
      case 'oversized.pdf':
        return { key: 'oversized', handle: (ex) => streamPdf(ex, oversizedBytes(ex), true) };
      case 'oversized-chunked.pdf':
        return { key: 'oversized', handle: (ex) => streamPdf(ex, oversizedBytes(ex), false) };
      case 'endless.pdf':
        return { key: 'endless', handle: (ex) => streamPdf(ex, null, false) };
    }
    if (second === '' && first.endsWith('.pdf')) {
      const paper = paperBySlug(first.slice(0, -4));
      if (paper) return { key: 'pdf', handle: (ex) => sendPdf(ex, paperPdf(paper)) };
    }
    return { key: 'unknown', handle: notFound };
  },
  errorBody(status, message): CannedBody {
    return { contentType: 'text/html; charset=utf-8', body: `<!DOCTYPE html><html><head><title>${status}</title></head><body><h1>${status}</h1><p>${escapeHtml(message)}</p></body></html>` };
  },
  malformedBody(key): CannedBody {
    if (key === 'landing' || key === 'epdf') return { contentType: 'text/html; charset=utf-8', body: '<!DOCTYPE html><html><head><title>Time-Series Mom' };
    // the first bytes of a real corpus PDF, cut off long before its xref table
    return { contentType: 'application/pdf', body: paperPdf(paperBySlug('time-series-momentum-etfs')!).subarray(0, 700) };
  },
};
