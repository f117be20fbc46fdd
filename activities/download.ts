import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Dispatcher } from 'undici';
import {
  CorruptPdfError,
  NoOpenAccessError,
  NotAPdfError,
  PdfTooLargeError,
  RedirectLoopError,
} from '../domain/errors';
import { BadRequestError, InvalidInputError, PathSecurityError, QuantCoderError } from '../domain/errors';
import { looksLikeHtml, pdfLinkFromLandingPage } from '../domain/landing-page';
import { normaliseArxivId } from './arxiv';
import { errorForNetwork, errorForStatus, request } from './http';
import type { UnpaywallClient } from './unpaywall';

const SERVICE = 'download';

export const DEFAULT_MAX_PDF_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 10;
/** A landing page larger than this is not read to the end (its head carries the meta tags). */
export const MAX_LANDING_PAGE_BYTES = 2 * 1024 * 1024;
/** Readers accept `%PDF-` anywhere in the first kilobyte (some servers prepend junk). */
const MAGIC_WINDOW = 1024;
/** `%%EOF` must appear this close to the end, or the file was cut short. */
const EOF_WINDOW = 4096;

export interface PdfDownloaderOptions {
  /** Directories PDFs may be written into; checked after resolving symlinks. */
  allowedDirs: string[];
  timeoutMs: number;
  maxBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Needed to download by DOI. */
  unpaywall?: UnpaywallClient;
  /** Where arXiv PDFs are fetched by id (`https://arxiv.org/pdf`, or the sandbox's). */
  arxivPdfBaseUrl?: string;
  dispatcher?: Dispatcher;
}

/** What is known about where a paper's PDF may be. */
export interface PaperPdfRef {
  doi?: string | null;
  arxivId?: string | null;
  /** A direct PDF link (e.g. CrossRef's publisher link), tried last. */
  pdfUrl?: string | null;
}

/** A PDF from a link the user gave; `landingPage` is the page whose PDF link was followed, if any. */
export interface LinkedPdf extends DownloadedPdf {
  landingPage: string | null;
}

export interface DownloadedPdf {
  path: string;
  bytes: number;
  sha256: string;
  /** The URL asked for, and the one that finally answered (after redirects). */
  url: string;
  finalUrl: string;
  /** True when a complete PDF was already in place and nothing was downloaded. */
  reused: boolean;
}

/** Lower case, only `[a-z0-9._-]`, no leading dots: safe as (part of) a file name anywhere. */
export function sanitiseId(id: string): string {
  const s = id
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._-]+/, '')
    .slice(0, 150);
  if (s === '') throw new InvalidInputError(`"${id}" gives no usable file name`);
  return s;
}

/** The PDF's file name, built only from a sanitised id: `arxiv-<id>.pdf`, `doi-<doi>.pdf` or `url-<hash>.pdf`. */
export function pdfFileName(ref: PaperPdfRef): string {
  if (ref.arxivId) return `arxiv-${sanitiseId(normaliseArxivId(ref.arxivId))}.pdf`;
  if (ref.doi) return `doi-${sanitiseId(ref.doi)}.pdf`;
  if (ref.pdfUrl) return `url-${createHash('sha256').update(ref.pdfUrl).digest('hex').slice(0, 16)}.pdf`;
  throw new InvalidInputError('A paper needs an arXiv id, a DOI or a PDF URL to be downloaded');
}

function isInside(p: string, root: string): boolean {
  if (p === root) return true;
  return p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

async function realOrResolved(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Resolves `dir` (creating it if needed) and checks that its real path, symlinks included, lies
 * inside one of `allowedDirs`. Returns the real path; PathSecurityError otherwise.
 */
export async function resolveAllowedDir(dir: string, allowedDirs: string[]): Promise<string> {
  if (allowedDirs.length === 0) throw new PathSecurityError('No directory is allowed for downloads');
  const allowed = await Promise.all(allowedDirs.map(realOrResolved));
  const deny = (real: string) =>
    new PathSecurityError(`Refusing to write into ${dir}: it resolves to ${real}, outside the allowed directories (${allowed.join(', ')})`);
  // Resolve the nearest existing ancestor, so a symlink anywhere on the way is followed before mkdir.
  const target = path.resolve(dir);
  const missing: string[] = [];
  let existing = target;
  let resolved: string | null = null;
  while (resolved === null) {
    try {
      resolved = path.join(await fs.realpath(existing), ...missing.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = path.dirname(existing);
      if (parent === existing) throw deny(target);
      missing.push(path.basename(existing));
      existing = parent;
    }
  }
  if (!allowed.some((root) => isInside(resolved, root))) throw deny(resolved);
  await fs.mkdir(resolved, { recursive: true });
  const real = await fs.realpath(resolved);
  if (!allowed.some((root) => isInside(real, root))) throw deny(real);
  return real;
}

function describeNonPdf(head: Buffer, contentType: string | undefined): string {
  const start = head.subarray(0, 512).toString('latin1').toLowerCase();
  const type = contentType ? `Content-Type ${contentType}` : 'no Content-Type';
  if (/<(!doctype html|html|head|body)\b/.test(start)) return `an HTML page (${type}; probably the publisher's landing page, a paywall or a login form)`;
  if (head.length === 0) return `an empty body (${type})`;
  return `not a PDF (${type}, no %PDF- signature)`;
}

function hasPdfMagic(head: Buffer): boolean {
  return head.subarray(0, MAGIC_WINDOW).indexOf('%PDF-', 0, 'latin1') !== -1;
}

function hasEofMarker(tail: Buffer): boolean {
  return tail.indexOf('%%EOF', 0, 'latin1') !== -1;
}

async function removeQuietly(file: string): Promise<void> {
  await fs.rm(file, { force: true }).catch(() => undefined);
}

/** An existing complete PDF at `file` (a regular file, not a symlink), or null. */
async function existingPdf(file: string): Promise<{ bytes: number; sha256: string } | null> {
  let st: Stats;
  try {
    st = await fs.lstat(file);
  } catch {
    return null;
  }
  if (!st.isFile() || st.size < 8) return null;
  const content = await fs.readFile(file);
  if (!hasPdfMagic(content) || !hasEofMarker(content.subarray(Math.max(0, content.length - EOF_WINDOW)))) return null;
  return { bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
}

/** A response body as text, at most `limit` bytes of it (the rest is discarded). */
async function readCapped(res: Dispatcher.ResponseData, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      chunks.push(buf.subarray(0, Math.max(0, limit - bytes)));
      bytes += buf.length;
      if (bytes >= limit) break;
    }
  } catch (err) {
    throw errorForNetwork(SERVICE, err);
  } finally {
    res.body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads papers' PDFs: arXiv by id, DOIs through Unpaywall's open-access locations, or a direct
 * URL. Each download streams into a temp file in the destination directory, is capped in size,
 * must be a real PDF, and is renamed into place only when complete; a failure leaves nothing.
 */
export class PdfDownloader {
  private readonly maxBytes: number;
  private readonly maxRedirects: number;

  constructor(private readonly options: PdfDownloaderOptions) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_PDF_BYTES;
    this.maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  }

  /**
   * Downloads a paper's PDF into `destDir`, trying arXiv, then Unpaywall's open-access PDFs, then
   * `pdfUrl`. A complete PDF already in place is reused (activities run at least once).
   */
  async downloadPaper(ref: PaperPdfRef, destDir: string, signal?: AbortSignal): Promise<DownloadedPdf> {
    const fileName = pdfFileName(ref);
    const dir = await resolveAllowedDir(destDir, this.options.allowedDirs);
    const target = path.join(dir, fileName);
    const reused = await existingPdf(target);
    if (reused) return { path: target, ...reused, url: '', finalUrl: '', reused: true };

    const sources: Array<() => Promise<string[]>> = [];
    if (ref.arxivId) {
      const id = normaliseArxivId(ref.arxivId);
      const base = (this.options.arxivPdfBaseUrl ?? 'https://arxiv.org/pdf').replace(/\/+$/, '');
      sources.push(async () => [`${base}/${id}`]);
    }
    if (ref.doi) {
      const unpaywall = this.options.unpaywall;
      if (!unpaywall) throw new InvalidInputError('Downloading by DOI needs the Unpaywall client');
      sources.push(() => unpaywall.pdfUrls(ref.doi!, signal));
    }
    if (ref.pdfUrl) sources.push(async () => [ref.pdfUrl!]);

    const failures: unknown[] = [];
    for (const source of sources) {
      let urls: string[];
      try {
        urls = await source();
      } catch (err) {
        failures.push(err);
        continue;
      }
      for (const url of urls) {
        try {
          return await this.fetchInto(url, dir, fileName, signal);
        } catch (err) {
          if (signal?.aborted) throw err;
          failures.push(err);
        }
      }
    }
    // Prefer a failure worth retrying; otherwise the first (the most authoritative source's).
    const retryable = failures.find((e) => e instanceof QuantCoderError && e.retryable);
    throw retryable ?? failures[0] ?? new NoOpenAccessError('No source for the PDF was found', { service: SERVICE });
  }

  /** Downloads one URL into `destDir/<fileName>` (`fileName` is sanitised again here). */
  async downloadUrl(url: string, destDir: string, fileName: string, signal?: AbortSignal): Promise<DownloadedPdf> {
    const safeName = sanitiseId(fileName.replace(/\.pdf$/i, '')) + '.pdf';
    const dir = await resolveAllowedDir(destDir, this.options.allowedDirs);
    return this.fetchInto(url, dir, safeName, signal);
  }

  /**
   * Downloads a link the user gave. A PDF is kept as it is; an HTML landing page is read for its
   * `citation_pdf_url` meta tag or its single PDF link, which is then downloaded with the same
   * checks (real PDF, size cap, redirect limit, timeout). Kept as `url-<hash of the link>.pdf`.
   */
  async downloadLink(url: string, destDir: string, signal?: AbortSignal): Promise<LinkedPdf> {
    const fileName = pdfFileName({ pdfUrl: url });
    const dir = await resolveAllowedDir(destDir, this.options.allowedDirs);
    const target = path.join(dir, fileName);
    const reused = await existingPdf(target);
    if (reused) return { path: target, ...reused, url, finalUrl: url, reused: true, landingPage: null };

    const { res, finalUrl } = await this.open(url, signal);
    const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : '';
    if (res.statusCode >= 400 || !/html/i.test(contentType)) return { ...(await this.saveResponse(res, url, finalUrl, dir, fileName)), landingPage: null };

    const html = await readCapped(res, MAX_LANDING_PAGE_BYTES);
    if (!looksLikeHtml(html)) throw new NotAPdfError(`${finalUrl} answered ${contentType}, neither a PDF nor a readable web page`, { service: SERVICE });
    const pdfLink = pdfLinkFromLandingPage(html, finalUrl);
    if (!pdfLink) {
      throw new NotAPdfError(`${finalUrl} is a web page with no PDF link on it (no citation_pdf_url meta tag and no single link to a PDF); download the PDF yourself and pass the file`, {
        service: SERVICE,
      });
    }
    return { ...(await this.fetchInto(pdfLink, dir, fileName, signal)), url, landingPage: finalUrl };
  }

  /**
   * Copies a PDF from where the user keeps it into `destDir` as `file-<sha256 prefix>.pdf`, after
   * the same checks as a download (a real, complete PDF within the size cap). The source is only read.
   */
  async importFile(filePath: string, destDir: string): Promise<DownloadedPdf> {
    const source = path.resolve(filePath);
    let st: Stats;
    try {
      st = await fs.stat(source);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidInputError(`No file at ${source}`);
      throw new InvalidInputError(`Cannot read ${source}: ${(err as Error).message}`);
    }
    if (!st.isFile()) throw new InvalidInputError(`${source} is not a file`);
    if (st.size > this.maxBytes) throw new PdfTooLargeError(`${source} is ${st.size} bytes, more than the ${this.maxBytes}-byte limit`);
    return this.importContent(await fs.readFile(source), source, destDir);
  }

  /**
   * Writes a user's PDF, given as bytes (`label` names it in errors), into `destDir` under a name
   * derived from its hash, after the checks every download gets: a PDF signature, an end marker, the size cap.
   */
  async importContent(content: Buffer, label: string, destDir: string): Promise<DownloadedPdf> {
    if (content.length > this.maxBytes) throw new PdfTooLargeError(`${label} is ${content.length} bytes, more than the ${this.maxBytes}-byte limit`);
    if (!hasPdfMagic(content)) {
      const html = looksLikeHtml(content.subarray(0, 2048).toString('latin1'));
      throw new NotAPdfError(`${label} is not a PDF (no %PDF- signature${html ? '; it is a saved web page' : ''})`);
    }
    if (!hasEofMarker(content.subarray(Math.max(0, content.length - EOF_WINDOW)))) {
      throw new CorruptPdfError(`${label} is a damaged or truncated PDF (${content.length} bytes, no %%EOF marker at the end)`);
    }
    const sha256 = createHash('sha256').update(content).digest('hex');
    const fileName = `file-${sha256.slice(0, 16)}.pdf`;
    const dir = await resolveAllowedDir(destDir, this.options.allowedDirs);
    const target = path.join(dir, fileName);
    const existing = await existingPdf(target);
    if (existing?.sha256 === sha256) return { path: target, ...existing, url: '', finalUrl: '', reused: true };
    const temp = path.join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.part`);
    try {
      await fs.writeFile(temp, content, { flag: 'wx', mode: 0o644 });
      await fs.rename(temp, target);
    } catch (err) {
      await removeQuietly(temp);
      throw err;
    }
    return { path: target, bytes: content.length, sha256, url: '', finalUrl: '', reused: false };
  }

  /** Follows redirects ourselves, so loops and hop counts are ours to judge. */
  private async open(url: string, signal?: AbortSignal): Promise<{ res: Dispatcher.ResponseData; finalUrl: string }> {
    const visited: string[] = [];
    let current = url;
    for (;;) {
      let parsed: URL;
      try {
        parsed = new URL(current);
      } catch {
        throw new BadRequestError(`Not a valid URL: ${current}`, { service: SERVICE });
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new BadRequestError(`Refusing to download from a ${parsed.protocol} URL: ${current}`, { service: SERVICE });
      }
      visited.push(current);
      let res: Dispatcher.ResponseData;
      try {
        const headers: Record<string, string> = { accept: 'application/pdf, */*;q=0.5' };
        if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
        res = await request(current, {
          method: 'GET',
          headers,
          headersTimeout: this.options.timeoutMs,
          bodyTimeout: this.options.timeoutMs,
          signal,
          dispatcher: this.options.dispatcher,
        });
      } catch (err) {
        throw errorForNetwork(SERVICE, err);
      }
      if (!REDIRECTS.has(res.statusCode)) return { res, finalUrl: current };
      await res.body.dump().catch(() => undefined);
      const location = res.headers.location;
      const to = Array.isArray(location) ? location[0] : location;
      if (!to) throw new BadRequestError(`${current} answered HTTP ${res.statusCode} without a Location`, { service: SERVICE });
      const next = new URL(to, current).toString();
      if (visited.includes(next)) {
        throw new RedirectLoopError(`Redirect loop while downloading ${url}: ${[...visited, next].join(' → ')}`, { service: SERVICE });
      }
      if (visited.length > this.maxRedirects) {
        throw new RedirectLoopError(`Too many redirects (more than ${this.maxRedirects}) while downloading ${url}`, { service: SERVICE });
      }
      current = next;
    }
  }

  private async fetchInto(url: string, dir: string, fileName: string, signal?: AbortSignal): Promise<DownloadedPdf> {
    if (path.dirname(path.join(dir, fileName)) !== dir) throw new PathSecurityError(`Refusing file name ${fileName}`);
    const { res, finalUrl } = await this.open(url, signal);
    return this.saveResponse(res, url, finalUrl, dir, fileName);
  }

  /** Streams an opened response into `dir/<fileName>`, if it is a complete PDF within the size cap. */
  private async saveResponse(res: Dispatcher.ResponseData, url: string, finalUrl: string, dir: string, fileName: string): Promise<DownloadedPdf> {
    const target = path.join(dir, fileName);
    if (path.dirname(target) !== dir) throw new PathSecurityError(`Refusing file name ${fileName}`);
    const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : undefined;
    if (res.statusCode >= 400) {
      await res.body.dump().catch(() => undefined);
      throw errorForStatus(SERVICE, res.statusCode, res.headers, `GET ${finalUrl}`);
    }
    if (res.statusCode !== 200 && res.statusCode !== 203) {
      await res.body.dump().catch(() => undefined);
      throw new NotAPdfError(`${finalUrl} answered HTTP ${res.statusCode}, not a PDF`, { service: SERVICE });
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      await res.body.dump({ limit: 0 }).catch(() => undefined);
      throw new PdfTooLargeError(`${finalUrl} is ${declared} bytes, more than the ${this.maxBytes}-byte limit`, { service: SERVICE });
    }

    const temp = path.join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.part`);
    const hash = createHash('sha256');
    let handle: fs.FileHandle | null = null;
    let bytes = 0;
    let head = Buffer.alloc(0);
    let headChecked = false;
    let tail = Buffer.alloc(0);
    const checkHead = () => {
      headChecked = true;
      if (!hasPdfMagic(head)) throw new NotAPdfError(`${finalUrl} answered ${describeNonPdf(head, contentType)}`, { service: SERVICE });
    };
    try {
      handle = await fs.open(temp, 'wx', 0o644);
      try {
        for await (const chunk of res.body) {
          const buf = chunk as Buffer;
          bytes += buf.length;
          if (bytes > this.maxBytes) {
            throw new PdfTooLargeError(`${finalUrl} is more than the ${this.maxBytes}-byte limit; download stopped`, { service: SERVICE });
          }
          if (!headChecked) {
            head = Buffer.concat([head, buf]);
            if (head.length >= MAGIC_WINDOW) checkHead();
          }
          tail = Buffer.concat([tail, buf]);
          if (tail.length > EOF_WINDOW) tail = tail.subarray(tail.length - EOF_WINDOW);
          hash.update(buf);
          await handle.write(buf);
        }
      } catch (err) {
        res.body.destroy();
        throw err instanceof QuantCoderError ? err : errorForNetwork(SERVICE, err);
      }
      if (!headChecked) checkHead();
      if (!hasEofMarker(tail)) {
        throw new CorruptPdfError(`${finalUrl} sent a damaged or truncated PDF (${bytes} bytes, no %%EOF marker at the end)`, { service: SERVICE });
      }
      await handle.sync();
      await handle.close();
      handle = null;
      await fs.rename(temp, target);
    } catch (err) {
      if (handle) await handle.close().catch(() => undefined);
      await removeQuietly(temp);
      throw err;
    }
    return { path: target, bytes, sha256: hash.digest('hex'), url, finalUrl, reused: false };
  }
}
