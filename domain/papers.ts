/** A paper as QuantCoder keeps it, whichever service found it. */
export interface Paper {
  source: 'crossref' | 'arxiv';
  /** DOI (lower-cased) for CrossRef, arXiv id without version for arXiv. */
  externalId: string;
  title: string;
  authors: string[];
  year: number | null;
  doi: string | null;
  arxivId: string | null;
  url: string | null;
  abstract: string | null;
  pdfUrl: string | null;
  /** Set when the metadata came from a simulated service (a worker in the sandbox profile). */
  simulated?: boolean;
}

/** A numbered search result, as `quantcoder search` prints it. */
export interface NumberedResult {
  n: number;
  title: string;
  authors: string[];
  year: number | null;
  doi: string | null;
  arxivId: string | null;
  url: string | null;
  abstract: string | null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Strips JATS/HTML markup (CrossRef abstracts), decodes entities and collapses whitespace. */
export function stripMarkup(text: string): string {
  return text
    .replace(/<jats:title>[^<]*<\/jats:title>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
      if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

type DateParts = { 'date-parts'?: unknown };

function yearOf(item: Record<string, unknown>): number | null {
  for (const key of ['published-print', 'published-online', 'published', 'issued', 'created']) {
    const parts = (item[key] as DateParts | undefined)?.['date-parts'];
    if (Array.isArray(parts) && Array.isArray(parts[0]) && typeof parts[0][0] === 'number') return parts[0][0];
  }
  return null;
}

function authorName(a: unknown): string | null {
  if (!a || typeof a !== 'object') return null;
  const { given, family, name } = a as { given?: unknown; family?: unknown; name?: unknown };
  if (typeof family === 'string') return typeof given === 'string' && given ? `${given} ${family}` : family;
  return typeof name === 'string' ? name : null;
}

/** Thrown when a body is not the envelope a service promises. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

/** Reads CrossRef's `/works` envelope into papers, tolerating missing optional fields. */
export function parseCrossrefWorks(body: unknown): Paper[] {
  if (!body || typeof body !== 'object') throw new EnvelopeError('CrossRef answered with something that is not a JSON object');
  const { status, message } = body as { status?: unknown; message?: { items?: unknown } };
  if (status !== 'ok' || !message || !Array.isArray(message.items)) {
    throw new EnvelopeError(`CrossRef answered without the works envelope (status ${JSON.stringify(status)})`);
  }
  return message.items.flatMap((raw: unknown): Paper[] => {
    if (!raw || typeof raw !== 'object') return [];
    const item = raw as Record<string, unknown>;
    const doi = typeof item.DOI === 'string' ? item.DOI.toLowerCase() : null;
    if (!doi) return [];
    const titles = Array.isArray(item.title) ? item.title.filter((t): t is string => typeof t === 'string') : [];
    const authors = Array.isArray(item.author) ? item.author.map(authorName).filter((n): n is string => n !== null) : [];
    const pdfLink = Array.isArray(item.link)
      ? (item.link as Array<Record<string, unknown>>).find((l) => l['content-type'] === 'application/pdf' && typeof l.URL === 'string')
      : undefined;
    return [
      {
        source: 'crossref',
        externalId: doi,
        doi,
        arxivId: null,
        title: titles.length ? stripMarkup(titles[0]!) : '(untitled)',
        authors,
        year: yearOf(item),
        url: typeof item.URL === 'string' ? item.URL : `https://doi.org/${doi}`,
        abstract: typeof item.abstract === 'string' ? stripMarkup(item.abstract) || null : null,
        pdfUrl: pdfLink ? (pdfLink.URL as string) : null,
      },
    ];
  });
}

/** Numbers papers from 1, in the order the service ranked them. */
export function numberResults(papers: Paper[]): NumberedResult[] {
  return papers.map((p, i) => ({
    n: i + 1,
    title: p.title,
    authors: p.authors,
    year: p.year,
    doi: p.doi,
    arxivId: p.arxivId,
    url: p.url,
    abstract: p.abstract,
  }));
}
