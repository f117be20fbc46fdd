import { CATALOGUE, queryTerms, relevance, workByDoi, type CatalogueWork } from '../corpus/catalogue';
import { escapeXml, sendJson, sendText } from '../http';
import type { CannedBody, Exchange, SimulatedService } from '../service';

/**
 * CrossRef's REST API: `/works?query=&rows=&offset=&select=` ranked by relevance over the
 * catalogue, and `/works/{doi}`. Records vary like real ones: some lack `published-print`, some
 * the abstract (JATS or plain HTML when present), only some carry an `application/pdf` link.
 */

/** The path segment a work's non-PDF pages use: the corpus slug, or the DOI made URL-safe. */
export function workSlug(work: CatalogueWork): string {
  return work.paper?.slug ?? work.doi.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function dateParts(parts: number[]): { 'date-parts': number[][] } {
  return { 'date-parts': [parts] };
}

export function crossrefItem(work: CatalogueWork, base: string, score: number): Record<string, unknown> {
  const [y, m, d] = work.published;
  const prefix = work.doi.split('/')[0]!;
  const item: Record<string, unknown> = {
    indexed: { 'date-parts': [[2024, 1, 2]], 'date-time': '2024-01-02T03:04:05Z', timestamp: 1704164645000 },
    'reference-count': work.paper?.references.length ?? 0,
    publisher: work.publisher,
    'content-domain': { domain: [], 'crossmark-restriction': false },
    'short-container-title': [],
    DOI: work.doi,
    type: 'journal-article',
    created: { 'date-parts': [[y, m, d]], 'date-time': `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00Z` },
    source: 'Crossref',
    'is-referenced-by-count': (work.doi.length * 7) % 90,
    title: [work.title],
    prefix,
    author: work.authors.map((a, i) => ({
      ...(a.given ? { given: a.given } : {}),
      family: a.family,
      sequence: i === 0 ? 'first' : 'additional',
      affiliation: a.affiliation ? [{ name: a.affiliation }] : [],
    })),
    member: '5555',
    'container-title': [work.journal],
    URL: `https://doi.org/${work.doi}`,
    ISSN: ['2938-5555'],
    issued: dateParts([y, m]),
    published: dateParts([y, m, d]),
    score,
  };
  if (work.dateStyle === 'print') {
    item['published-print'] = dateParts([y, m]);
    item['published-online'] = dateParts([y, m, d]);
  } else if (work.dateStyle === 'online') item['published-online'] = dateParts([y, m, d]);
  if (work.abstract) {
    const text = escapeXml(work.abstract.text);
    item.abstract = work.abstract.style === 'jats' ? `<jats:title>Abstract</jats:title><jats:p>${text}</jats:p>` : `<p>${text}</p>`;
  }
  const slug = workSlug(work);
  if (work.crossrefPdfLink && work.paper) {
    item.link = [
      { URL: `${base}/papers/${slug}.pdf`, 'content-type': 'application/pdf', 'content-version': 'vor', 'intended-application': 'text-mining' },
      { URL: `${base}/papers/landing/${slug}`, 'content-type': 'text/html', 'content-version': 'vor', 'intended-application': 'similarity-checking' },
    ];
  } else if (work.paper) {
    item.link = [{ URL: `${base}/papers/landing/${slug}`, 'content-type': 'text/html', 'content-version': 'vor', 'intended-application': 'similarity-checking' }];
  } else {
    item.link = [{ URL: `${base}/papers/paywall/${slug}`, 'content-type': 'unspecified', 'content-version': 'vor', 'intended-application': 'similarity-checking' }];
  }
  return item;
}

function validationFailure(ex: Exchange, type: string, value: string, message: string): void {
  sendJson(ex.res, 400, { status: 'failed', 'message-type': 'validation-failure', message: [{ type, value, message }] });
}

function searchWorks(ex: Exchange): void {
  const q = ex.url.searchParams;
  const query = q.get('query') ?? q.get('query.bibliographic') ?? q.get('query.title') ?? '';
  const rowsRaw = q.get('rows') ?? '20';
  const offsetRaw = q.get('offset') ?? '0';
  if (!/^\d+$/.test(rowsRaw) || Number(rowsRaw) > 1000) {
    return validationFailure(ex, 'integer-not-valid', rowsRaw, `Integer specified as ${rowsRaw} but must be a positive integer less than or equal to 1000.`);
  }
  if (!/^\d+$/.test(offsetRaw)) return validationFailure(ex, 'integer-not-valid', offsetRaw, `Integer specified as ${offsetRaw} but must be a positive integer.`);
  const rows = Number(rowsRaw);
  const offset = Number(offsetRaw);
  const terms = queryTerms(query);
  const ranked = CATALOGUE.map((work, index) => ({
    work,
    index,
    score: relevance({ title: work.title, keywords: work.keywords, abstract: work.abstract?.text ?? '' }, terms, query.trim()),
  }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index);
  const selected = (q.get('select') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const items = ranked.slice(offset, offset + rows).map(({ work, score }) => {
    const item = crossrefItem(work, ex.base, Math.round(score * 7.3 * 1000) / 1000);
    return selected.length === 0 ? item : Object.fromEntries(Object.entries(item).filter(([k]) => selected.includes(k)));
  });
  sendJson(ex.res, 200, {
    status: 'ok',
    'message-type': 'work-list',
    'message-version': '1.0.0',
    message: {
      facets: {},
      'total-results': ranked.length,
      items,
      'items-per-page': rows,
      query: { 'start-index': offset, 'search-terms': query || null },
    },
  });
}

function oneWork(ex: Exchange, rawDoi: string): void {
  let doi: string;
  try {
    doi = decodeURIComponent(rawDoi);
  } catch {
    doi = rawDoi;
  }
  const work = workByDoi(doi);
  if (!work) return sendText(ex.res, 404, 'Resource not found.');
  sendJson(ex.res, 200, { status: 'ok', 'message-type': 'work', 'message-version': '1.0.0', message: crossrefItem(work, ex.base, 1) });
}

export const crossrefService: SimulatedService = {
  name: 'crossref',
  route(method, path) {
    if (method !== 'GET' && method !== 'HEAD') return { key: 'unsupported', handle: (ex) => sendText(ex.res, 405, 'Method not allowed.') };
    if (path === 'works' || path === 'works/') return { key: 'works', handle: searchWorks };
    if (path.startsWith('works/')) return { key: 'works/{doi}', handle: (ex) => oneWork(ex, path.slice('works/'.length)) };
    return { key: 'unknown', handle: (ex) => sendText(ex.res, 404, 'Resource not found.') };
  },
  errorBody(status, message): CannedBody {
    const text = status === 429 ? 'Too Many Requests. Please slow down and use the polite pool (mailto).' : status >= 500 ? 'Internal Server Error' : message;
    return { contentType: 'text/plain; charset=utf-8', body: text };
  },
  malformedBody(): CannedBody {
    return {
      contentType: 'application/json; charset=utf-8',
      body: '{"status":"ok","message-type":"work-list","message-version":"1.0.0","message":{"facets":{},"total-results":12,"items":[{"DOI":"10.5555/jstr.2021.0142","title":["Time-Series Mom',
    };
  },
};
