import { XMLParser } from 'fast-xml-parser';
import { BadRequestError, InvalidInputError, MalformedResponseError } from '../domain/errors';
import type { Paper } from '../domain/papers';
import { httpText } from './http';

const SERVICE = 'arxiv';

export interface ArxivClientOptions {
  /** `https://export.arxiv.org`, or the sandbox's `/arxiv`. */
  baseUrl: string;
  timeoutMs: number;
  /** Where PDFs are fetched from by id; default `https://arxiv.org/pdf` for the real API, `<baseUrl>/pdf` otherwise. */
  pdfBaseUrl?: string;
  userAgent?: string;
}

export interface ArxivSearchOptions {
  start?: number;
  signal?: AbortSignal;
}

const NEW_STYLE = /^\d{4}\.\d{4,5}(v\d+)?$/;
const OLD_STYLE = /^[a-z-]+(\.[a-z]{2})?\/\d{7}(v\d+)?$/i;

/**
 * An arXiv id without its version (`2101.00001`, `hep-th/9901001`), from a bare id,
 * `arXiv:` prefix, or an abs/pdf URL.
 */
export function normaliseArxivId(input: string): string {
  let id = input.trim().replace(/^arxiv:/i, '');
  const fromUrl = /arxiv\.org\/(?:abs|pdf)\/(.+?)(?:\.pdf)?\/?$/i.exec(id);
  if (fromUrl) id = fromUrl[1]!;
  if (!NEW_STYLE.test(id) && !OLD_STYLE.test(id)) throw new InvalidInputError(`"${input}" is not an arXiv id (expected e.g. 2101.00001)`);
  return id.replace(/v\d+$/, '');
}

/**
 * Turns a plain query into arXiv's syntax: words become `all:` terms joined by AND, quoted
 * phrases stay phrases. A query that already uses fields (`ti:`, `au:`, `cat:`…) is sent as is.
 */
export function arxivSearchQuery(query: string): string {
  const q = query.trim();
  if (/\b(ti|au|abs|co|jr|cat|rn|id|all):/.test(q)) return q;
  const terms = q.match(/"[^"]+"|\S+/g) ?? [];
  return terms.map((t) => `all:${t}`).join(' AND ');
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ['entry', 'author', 'link', 'category'].includes(name),
});

type XmlNode = Record<string, unknown>;

function textOf(v: unknown): string | null {
  if (typeof v === 'string') return v.replace(/\s+/g, ' ').trim() || null;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && '#text' in v) return textOf((v as XmlNode)['#text']);
  return null;
}

/** Reads arXiv's Atom feed into papers. An error feed (arXiv's way of saying 400) is a BadRequestError. */
export function parseArxivFeed(xml: string): Paper[] {
  let doc: XmlNode;
  try {
    doc = parser.parse(xml, true) as XmlNode;
  } catch (err) {
    throw new MalformedResponseError(`arXiv answered with malformed XML: ${(err as Error).message}`, { service: SERVICE });
  }
  const feed = doc.feed as XmlNode | undefined;
  if (!feed || typeof feed !== 'object') throw new MalformedResponseError('arXiv answered without an Atom feed', { service: SERVICE });
  const entries = Array.isArray(feed.entry) ? (feed.entry as XmlNode[]) : [];
  const papers: Paper[] = [];
  for (const entry of entries) {
    const idUrl = textOf(entry.id) ?? '';
    if (idUrl.includes('/api/errors')) {
      throw new BadRequestError(`arXiv rejected the query: ${textOf(entry.summary) ?? textOf(entry.title) ?? 'no detail'}`, { service: SERVICE });
    }
    const m = /\/abs\/(.+?)(v\d+)?$/.exec(idUrl);
    if (!m) continue;
    const arxivId = m[1]!;
    const links = Array.isArray(entry.link) ? (entry.link as XmlNode[]) : [];
    const pdf = links.find((l) => l['@_title'] === 'pdf' || l['@_type'] === 'application/pdf');
    const abs = links.find((l) => l['@_rel'] === 'alternate');
    const published = textOf(entry.published);
    const year = published && /^\d{4}/.test(published) ? Number(published.slice(0, 4)) : null;
    const authors = (Array.isArray(entry.author) ? (entry.author as XmlNode[]) : []).map((a) => textOf(a.name)).filter((n): n is string => n !== null);
    const doi = textOf(entry.doi);
    papers.push({
      source: 'arxiv',
      externalId: arxivId,
      arxivId,
      doi: doi ? doi.toLowerCase() : null,
      title: textOf(entry.title) ?? '(untitled)',
      authors,
      year,
      url: (typeof abs?.['@_href'] === 'string' ? abs['@_href'] : null) ?? idUrl,
      abstract: textOf(entry.summary),
      pdfUrl: typeof pdf?.['@_href'] === 'string' ? pdf['@_href'] : null,
    });
  }
  return papers;
}

/** arXiv's query API (Atom). Politeness (one request every ~3 s) is the arxiv task queue's rate limit. */
export class ArxivClient {
  private readonly baseUrl: string;
  readonly pdfBaseUrl: string;

  constructor(private readonly options: ArxivClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const real = /(^|\.)arxiv\.org$/i.test(safeHost(this.baseUrl));
    this.pdfBaseUrl = (options.pdfBaseUrl ?? (real ? 'https://arxiv.org/pdf' : `${this.baseUrl}/pdf`)).replace(/\/+$/, '');
  }

  async search(query: string, maxResults: number, options: ArxivSearchOptions = {}): Promise<Paper[]> {
    const url = new URL(`${this.baseUrl}/api/query`);
    url.searchParams.set('search_query', arxivSearchQuery(query));
    url.searchParams.set('start', String(options.start ?? 0));
    url.searchParams.set('max_results', String(maxResults));
    url.searchParams.set('sortBy', 'relevance');
    const headers: Record<string, string> = { accept: 'application/atom+xml' };
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    const answer = await httpText({ service: SERVICE, url: url.toString(), headers, timeoutMs: this.options.timeoutMs, signal: options.signal });
    return parseArxivFeed(answer.text);
  }

  /** Papers by arXiv id (`id_list`), with their metadata; ids arXiv does not know are left out. */
  async byIds(arxivIds: string[], options: ArxivSearchOptions = {}): Promise<Paper[]> {
    const url = new URL(`${this.baseUrl}/api/query`);
    url.searchParams.set('id_list', arxivIds.map(normaliseArxivId).join(','));
    url.searchParams.set('max_results', String(arxivIds.length));
    const headers: Record<string, string> = { accept: 'application/atom+xml' };
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    const answer = await httpText({ service: SERVICE, url: url.toString(), headers, timeoutMs: this.options.timeoutMs, signal: options.signal });
    return parseArxivFeed(answer.text);
  }

  /** The PDF URL of an arXiv paper (latest version). */
  pdfUrl(arxivId: string): string {
    return `${this.pdfBaseUrl}/${normaliseArxivId(arxivId)}`;
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
