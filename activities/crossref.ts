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
    try {
      return parseCrossrefWorks(json);
    } catch (err) {
      if (err instanceof EnvelopeError) throw new MalformedResponseError(err.message, { service: 'crossref' });
      throw err;
    }
  }
}
