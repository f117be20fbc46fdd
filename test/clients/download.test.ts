import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import { PdfDownloader, pdfFileName, sanitiseId } from '../../activities/download';
import { UnpaywallClient } from '../../activities/unpaywall';
import { CorruptPdfError, NoOpenAccessError, NotAPdfError, PdfTooLargeError, RedirectLoopError } from '../../domain/errors';
import { BadRequestError, PathSecurityError, ServiceUnavailableError } from '../../domain/errors';
import { buildPdf } from './helpers/pdf';
import { rejectionOf, sendJson, startServer, type TestServer } from './helpers/server';

const PDF = buildPdf([['A small paper about momentum.']]);
const MAX = 64 * 1024;

function sendPdf(res: http.ServerResponse, body: Buffer, type = 'application/pdf'): void {
  res.writeHead(200, { 'content-type': type, 'content-length': body.length });
  res.end(body);
}

const unpaywallRecord = (doi: string, pdfUrl: string | null) => ({
  doi,
  is_oa: pdfUrl !== null,
  oa_status: pdfUrl ? 'green' : 'closed',
  best_oa_location: pdfUrl ? { url: pdfUrl, url_for_pdf: pdfUrl, url_for_landing_page: 'https://example.org/landing', host_type: 'repository', version: 'submittedVersion', license: null, is_best: true } : null,
  oa_locations: pdfUrl ? [{ url: pdfUrl, url_for_pdf: pdfUrl, host_type: 'repository', is_best: true }] : [],
  title: 'A paper',
  year: 2021,
});

describe('PDF downloads', () => {
  let server: TestServer;
  let tmp: string;
  let allowed: string;
  let dest: string;
  let downloader: PdfDownloader;

  beforeEach(async () => {
    server = await startServer((req, res) => {
      const url = new URL(req.path, 'http://x');
      const p = url.pathname;
      if (p.startsWith('/unpaywall/v2/')) {
        const doi = decodeURIComponent(p.slice('/unpaywall/v2/'.length));
        if (!url.searchParams.get('email')) return sendJson(res, 422, { error: true, message: 'email required' });
        if (doi === '10.1000/open') return sendJson(res, 200, unpaywallRecord(doi, `${server.url}/files/open.pdf`));
        if (doi === '10.1000/closed') return sendJson(res, 200, unpaywallRecord(doi, null));
        if (doi === '10.1000/landing') return sendJson(res, 200, unpaywallRecord(doi, `${server.url}/landing`));
        return sendJson(res, 404, { error: true, message: `'${doi}' is an invalid doi.` });
      }
      switch (p) {
        case '/arxiv/pdf/2101.00001':
        case '/files/open.pdf':
        case '/files/good.pdf':
          return sendPdf(res, PDF);
        case '/landing':
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return res.end('<!DOCTYPE html><html><head><title>Article</title></head><body>Buy this article</body></html>');
        case '/lying.pdf':
          return sendPdf(res, Buffer.from('<html><body>Please log in</body></html>'), 'application/pdf');
        case '/truncated.pdf':
          return sendPdf(res, PDF.subarray(0, PDF.length - 60));
        case '/big.pdf':
          res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(MAX * 10) });
          return res.end();
        case '/chunked-big.pdf': {
          res.writeHead(200, { 'content-type': 'application/pdf' });
          res.write(PDF.subarray(0, 100));
          const chunk = Buffer.alloc(16 * 1024, 0x20);
          let sent = 0;
          const pump = () => {
            while (sent < 40 && !res.destroyed) {
              sent++;
              if (!res.write(chunk)) return res.once('drain', pump);
            }
            res.end();
          };
          return pump();
        }
        case '/loop-a':
          res.writeHead(302, { location: '/loop-b' });
          return res.end();
        case '/loop-b':
          res.writeHead(301, { location: `${server.url}/loop-a` });
          return res.end();
        case '/hop':
          res.writeHead(302, { location: `/hop?n=${Number(url.searchParams.get('n') ?? 0) + 1}` });
          return res.end();
        case '/moved':
          res.writeHead(307, { location: 'files/good.pdf' });
          return res.end();
        case '/unavailable.pdf':
          res.writeHead(503, { 'content-type': 'text/plain' });
          return res.end('maintenance');
        default:
          res.writeHead(404, { 'content-type': 'text/plain' });
          return res.end('not found');
      }
    });
    tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'qc-download-')));
    allowed = path.join(tmp, 'home');
    dest = path.join(allowed, 'downloads');
    await fs.mkdir(dest, { recursive: true });
    downloader = new PdfDownloader({
      allowedDirs: [allowed],
      timeoutMs: 2000,
      maxBytes: MAX,
      unpaywall: new UnpaywallClient({ baseUrl: `${server.url}/unpaywall`, email: 'test@example.org', timeoutMs: 2000 }),
      arxivPdfBaseUrl: `${server.url}/arxiv/pdf`,
    });
  });

  afterEach(async () => {
    await server.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const listing = async (dir = dest) => (await fs.readdir(dir)).sort();
  const paths = () => server.requests.map((r) => r.path.replace(/\?.*$/, ''));

  it('downloads an arXiv paper by id into a sanitised file name, leaving no temp file', async () => {
    const result = await downloader.downloadPaper({ arxivId: 'arXiv:2101.00001v2' }, dest);
    expect(result.path).toBe(path.join(dest, 'arxiv-2101.00001.pdf'));
    expect(await fs.readFile(result.path)).toEqual(PDF);
    expect(result.bytes).toBe(PDF.length);
    expect(result.reused).toBe(false);
    expect(await listing()).toEqual(['arxiv-2101.00001.pdf']);
  });

  it('reuses a complete PDF already in place instead of downloading again', async () => {
    await downloader.downloadPaper({ arxivId: '2101.00001' }, dest);
    const again = await downloader.downloadPaper({ arxivId: '2101.00001' }, dest);
    expect(again.reused).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('finds a DOI\'s open-access PDF through Unpaywall', async () => {
    const result = await downloader.downloadPaper({ doi: '10.1000/OPEN' }, dest);
    expect(path.basename(result.path)).toBe('doi-10.1000_open.pdf');
    expect(paths()).toEqual(['/unpaywall/v2/10.1000/open', '/files/open.pdf']);
    expect(server.requests[0]!.path).toContain('email=test%40example.org');
  });

  it('says there is no open-access PDF for a closed DOI and how to run it with your own copy, and writes nothing', async () => {
    const err = await rejectionOf(downloader.downloadPaper({ doi: '10.1000/closed' }, dest));
    expect(err).toBeInstanceOf(NoOpenAccessError);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/no open-access PDF/i);
    expect(err.message).toContain('quantcoder run 10.1000/closed --pdf FILE');
    expect(await listing()).toEqual([]);
  });

  it('falls back to the publisher link when Unpaywall has nothing', async () => {
    const result = await downloader.downloadPaper({ doi: '10.1000/closed', pdfUrl: `${server.url}/files/good.pdf` }, dest);
    expect(path.basename(result.path)).toBe('doi-10.1000_closed.pdf');
  });

  it('reports an unknown DOI as a bad request', async () => {
    expect(await rejectionOf(downloader.downloadPaper({ doi: '10.1000/unknown' }, dest))).toBeInstanceOf(BadRequestError);
  });

  it('rejects an HTML landing page as not a PDF and leaves no file', async () => {
    const err = await rejectionOf(downloader.downloadPaper({ doi: '10.1000/landing' }, dest));
    expect(err).toBeInstanceOf(NotAPdfError);
    expect(err.message).toMatch(/HTML page/);
    expect(await listing()).toEqual([]);
  });

  it('checks the %PDF- signature even when the Content-Type says PDF', async () => {
    const err = await rejectionOf(downloader.downloadUrl(`${server.url}/lying.pdf`, dest, 'lying'));
    expect(err).toBeInstanceOf(NotAPdfError);
    expect(await listing()).toEqual([]);
  });

  it('rejects a truncated PDF as corrupt and leaves no file', async () => {
    const err = await rejectionOf(downloader.downloadUrl(`${server.url}/truncated.pdf`, dest, 'truncated'));
    expect(err).toBeInstanceOf(CorruptPdfError);
    expect(await listing()).toEqual([]);
  });

  it('refuses a PDF whose declared size exceeds the cap, before reading it', async () => {
    const err = await rejectionOf(downloader.downloadUrl(`${server.url}/big.pdf`, dest, 'big'));
    expect(err).toBeInstanceOf(PdfTooLargeError);
    expect(await listing()).toEqual([]);
  });

  it('stops a streamed PDF once it passes the cap and removes the partial file', async () => {
    const err = await rejectionOf(downloader.downloadUrl(`${server.url}/chunked-big.pdf`, dest, 'chunked'));
    expect(err).toBeInstanceOf(PdfTooLargeError);
    expect(err.message).toContain(String(MAX));
    expect(await listing()).toEqual([]);
  });

  it('follows relative redirects itself', async () => {
    const result = await downloader.downloadUrl(`${server.url}/moved`, dest, 'moved.pdf');
    expect(result.finalUrl).toBe(`${server.url}/files/good.pdf`);
    expect(path.basename(result.path)).toBe('moved.pdf');
  });

  it('names a redirect loop as such and gives up on endless redirects', async () => {
    const loop = await rejectionOf(downloader.downloadUrl(`${server.url}/loop-a`, dest, 'loop'));
    expect(loop).toBeInstanceOf(RedirectLoopError);
    expect(loop.message).toMatch(/redirect loop/i);
    expect(loop.retryable).toBe(false);
    const hops = await rejectionOf(downloader.downloadUrl(`${server.url}/hop`, dest, 'hop'));
    expect(hops).toBeInstanceOf(RedirectLoopError);
    expect(hops.message).toMatch(/too many redirects/i);
    expect(server.requests.filter((r) => r.path.startsWith('/hop'))).toHaveLength(11);
    expect(await listing()).toEqual([]);
  });

  it('reports a 503 as retryable, and prefers it over permanent failures of other sources', async () => {
    const err = await rejectionOf(downloader.downloadPaper({ doi: '10.1000/closed', pdfUrl: `${server.url}/unavailable.pdf` }, dest));
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(await listing()).toEqual([]);
  });

  it('refuses a destination that escapes the allowed directory through a symlink, before any request', async () => {
    const outside = path.join(tmp, 'outside');
    await fs.mkdir(outside);
    await fs.symlink(outside, path.join(allowed, 'escape'));
    const err = await rejectionOf(downloader.downloadPaper({ arxivId: '2101.00001' }, path.join(allowed, 'escape', 'papers')));
    expect(err).toBeInstanceOf(PathSecurityError);
    expect(await listing(outside)).toEqual([]);
    expect(server.requests).toHaveLength(0);
    expect(await rejectionOf(downloader.downloadPaper({ arxivId: '2101.00001' }, path.join(allowed, '..', 'elsewhere')))).toBeInstanceOf(PathSecurityError);
    await expect(fs.stat(path.join(tmp, 'elsewhere'))).rejects.toThrow();
  });

  it('replaces a symlink planted at the file name instead of writing through it', async () => {
    const victim = path.join(tmp, 'victim.txt');
    await fs.writeFile(victim, 'precious');
    await fs.symlink(victim, path.join(dest, 'arxiv-2101.00001.pdf'));
    const result = await downloader.downloadPaper({ arxivId: '2101.00001' }, dest);
    expect((await fs.lstat(result.path)).isFile()).toBe(true);
    expect(await fs.readFile(victim, 'utf8')).toBe('precious');
  });

  it('builds file names only from sanitised ids', () => {
    expect(sanitiseId('../../etc/passwd')).toBe('etc_passwd');
    expect(sanitiseId('10.1016/J.JFINECO.2020.01.001')).toBe('10.1016_j.jfineco.2020.01.001');
    expect(pdfFileName({ doi: '10.1000/a b<c>' })).toBe('doi-10.1000_a_b_c_.pdf');
    expect(pdfFileName({ pdfUrl: 'https://example.org/x.pdf' })).toMatch(/^url-[0-9a-f]{16}\.pdf$/);
    expect(() => pdfFileName({ arxivId: '../../x' })).toThrow(/not an arXiv id/);
  });
});
