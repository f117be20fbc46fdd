import { MalformedResponseError } from '../domain/errors';
import { EnvelopeError, parseCrossrefWorks, type Paper } from '../domain/papers';
import { httpJson } from './http';

export interface CrossrefClientOptions {
  baseUrl: string;
  mailto: string;
  timeoutMs: number;
  userAgent: string;
}

const SELECT = ['DOI', 'title', 'author', 'published-print', 'published-online', 'issued', 'URL', 'abstract', 'link'].join(',');

/** CrossRef's `/works` search, with a polite User-Agent so requests go to the polite pool. */
export class CrossrefClient {
  constructor(private readonly options: CrossrefClientOptions) {}

  async searchWorks(query: string, rows: number, signal?: AbortSignal): Promise<Paper[]> {
    const url = new URL(`${this.options.baseUrl.replace(/\/+$/, '')}/works`);
    url.searchParams.set('query', query);
    url.searchParams.set('rows', String(rows));
    url.searchParams.set('select', SELECT);
    const { json } = await httpJson({
      service: 'crossref',
      url: url.toString(),
      headers: {
        'user-agent': `${this.options.userAgent} (mailto:${this.options.mailto})`,
        accept: 'application/json',
      },
      timeoutMs: this.options.timeoutMs,
      signal,
    });
    return readEnvelope(() => parseCrossrefWorks(json));
  }

  /** One work by DOI; an unknown DOI is a BadRequestError (CrossRef answers 404 `Resource not found.`). */
  async work(doi: string, signal?: AbortSignal): Promise<Paper> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/works/${encodeURIComponent(doi.trim().toLowerCase())}`;
    const { json } = await httpJson({
      service: 'crossref',
      url,
      headers: { 'user-agent': `${this.options.userAgent} (mailto:${this.options.mailto})`, accept: 'application/json' },
      timeoutMs: this.options.timeoutMs,
      signal,
    });
    return readEnvelope(() => parseCrossrefWork(json));
  }
}

/** Reads CrossRef's single-work envelope (`/works/{doi}`). */
export function parseCrossrefWork(body: unknown): Paper {
  const message = (body as { message?: unknown } | null)?.message;
  const [paper] = parseCrossrefWorks({ status: (body as { status?: unknown } | null)?.status, message: { items: [message] } });
  if (!paper) throw new EnvelopeError('CrossRef answered a work without a DOI');
  return paper;
}

export interface CrossrefWorkLookup {
  work(doi: string, signal?: AbortSignal): Promise<Paper>;
}

/** Reads a CrossRef answer with `parse`; an envelope it cannot read is a MalformedResponseError of the crossref service. */
function readEnvelope<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof EnvelopeError) throw new MalformedResponseError(err.message, { service: 'crossref' });
    throw err;
  }
}
