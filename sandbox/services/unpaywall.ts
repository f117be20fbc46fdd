import { workByDoi, type CatalogueWork } from '../corpus/catalogue';
import { sendJson } from '../http';
import type { CannedBody, Exchange, SimulatedService } from '../service';
import { workSlug } from './crossref';

/**
 * Unpaywall's `/v2/{doi}?email=`: where an open copy lives. Best locations point at the
 * sandbox's own `/papers` and `/arxiv` routes, including the traps (an HTML page as
 * `url_for_pdf`, a corrupt PDF, a redirect loop, an oversized file). Closed works have no location.
 */

interface Location {
  url: string;
  url_for_pdf: string | null;
  url_for_landing_page: string;
  evidence: string;
  license: string | null;
  version: 'publishedVersion' | 'acceptedVersion' | 'submittedVersion';
  host_type: 'publisher' | 'repository';
  is_best: boolean;
  pmh_id: string | null;
  endpoint_id: string | null;
  repository_institution: string | null;
  oa_date: string;
  updated: string;
}

function isoDay([y, m, d]: [number, number, number]): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function location(work: CatalogueWork, partial: Pick<Location, 'url' | 'url_for_pdf' | 'url_for_landing_page' | 'host_type'> & Partial<Location>): Location {
  const repository = partial.host_type === 'repository';
  return {
    evidence: repository ? 'oa repository (via OAI-PMH doi match)' : 'open (via page says license)',
    license: repository ? null : 'cc-by',
    version: repository ? 'submittedVersion' : 'publishedVersion',
    is_best: true,
    pmh_id: repository ? `oai:arXiv.org:${work.paper?.arxivId ?? work.doi}` : null,
    endpoint_id: repository ? 'ca8f8d56758a80a4f86' : null,
    repository_institution: repository ? 'Cornell University - arXiv' : null,
    oa_date: isoDay(work.published),
    updated: '2024-01-02T00:00:00.000000',
    ...partial,
  };
}

function arxivLocation(work: CatalogueWork, base: string, isBest: boolean): Location | null {
  const p = work.paper;
  if (!p) return null;
  return location(work, {
    url: `${base}/arxiv/abs/${p.arxivId}`,
    url_for_pdf: `${base}/arxiv/pdf/${p.arxivId}v${p.arxivVersion}`,
    url_for_landing_page: `${base}/arxiv/abs/${p.arxivId}`,
    host_type: 'repository',
    is_best: isBest,
  });
}

function locations(work: CatalogueWork, base: string): Location[] {
  const slug = workSlug(work);
  const landing = `${base}/papers/landing/${slug}`;
  const publisher = (pdf: string | null) => location(work, { url: pdf ?? landing, url_for_pdf: pdf, url_for_landing_page: landing, host_type: 'publisher' });
  const withRepository = (best: Location) => [best, ...[arxivLocation(work, base, false)].filter((l): l is Location => l !== null)];
  switch (work.pdfRoute) {
    case 'direct':
      return withRepository(publisher(`${base}/papers/${slug}.pdf`));
    case 'redirect':
      return withRepository(publisher(`${base}/papers/redirect/${slug}.pdf`));
    case 'arxiv':
      return [arxivLocation(work, base, true)!];
    case 'epdf':
      // the trap: a "PDF" URL that answers an HTML viewer page; a real PDF exists elsewhere
      return withRepository(publisher(`${base}/papers/epdf/${slug}`));
    case 'landing':
      return [publisher(null)];
    case 'corrupt':
      return [location(work, { url: `${base}/papers/corrupt/${slug}.pdf`, url_for_pdf: `${base}/papers/corrupt/${slug}.pdf`, url_for_landing_page: landing, host_type: 'repository', pmh_id: null, repository_institution: 'Sandbox University Repository' })];
    case 'loop':
      return [publisher(`${base}/papers/loop/a?doi=${encodeURIComponent(work.doi)}`)];
    case 'oversized':
      return [publisher(`${base}/papers/oversized/${slug}.pdf`)];
    case 'none':
      return [];
  }
}

export function unpaywallRecord(work: CatalogueWork, base: string): Record<string, unknown> {
  const oa = locations(work, base);
  const best = oa.find((l) => l.is_best) ?? null;
  return {
    doi: work.doi.toLowerCase(),
    doi_url: `https://doi.org/${work.doi.toLowerCase()}`,
    title: work.title,
    genre: 'journal-article',
    is_paratext: false,
    published_date: isoDay(work.published),
    year: work.published[0],
    journal_name: work.journal,
    journal_issns: '2938-5555',
    journal_issn_l: '2938-5555',
    journal_is_oa: work.oaStatus === 'gold',
    journal_is_in_doaj: work.oaStatus === 'gold',
    publisher: work.publisher,
    is_oa: best !== null,
    oa_status: work.oaStatus,
    has_repository_copy: oa.some((l) => l.host_type === 'repository'),
    best_oa_location: best,
    first_oa_location: oa[0] ?? null,
    oa_locations: oa,
    oa_locations_embargoed: [],
    updated: '2024-01-02T00:00:00.000000',
    data_standard: 2,
    z_authors: work.authors.map((a, i) => ({ ...(a.given ? { given: a.given } : {}), family: a.family, sequence: i === 0 ? 'first' : 'additional' })),
  };
}

function lookup(ex: Exchange, rawDoi: string): void {
  const email = ex.url.searchParams.get('email');
  if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    return sendJson(ex.res, 422, { HTTP_status_code: 422, error: true, message: 'Please add a valid email parameter to your request, like ?email=you@example.com' });
  }
  let doi: string;
  try {
    doi = decodeURIComponent(rawDoi).trim();
  } catch {
    doi = rawDoi;
  }
  const work = workByDoi(doi);
  if (!work) {
    return sendJson(ex.res, 404, { HTTP_status_code: 404, error: true, message: `'${doi.toLowerCase()}' is an invalid doi or isn't in Unpaywall. See https://doi.org/${doi.toLowerCase()}` });
  }
  sendJson(ex.res, 200, unpaywallRecord(work, ex.base));
}

export const unpaywallService: SimulatedService = {
  name: 'unpaywall',
  route(method, path) {
    if (method !== 'GET' && method !== 'HEAD') {
      return { key: 'unsupported', handle: (ex) => sendJson(ex.res, 405, { HTTP_status_code: 405, error: true, message: 'Method not allowed' }) };
    }
    if (path.startsWith('v2/') && path.length > 3) return { key: 'v2', handle: (ex) => lookup(ex, path.slice(3)) };
    return { key: 'unknown', handle: (ex) => sendJson(ex.res, 404, { HTTP_status_code: 404, error: true, message: 'Not found' }) };
  },
  errorBody(status, message): CannedBody {
    return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ HTTP_status_code: status, error: true, message }) };
  },
  malformedBody(): CannedBody {
    return { contentType: 'application/json; charset=utf-8', body: '{"doi":"10.5555/jstr.2021.0142","is_oa":true,"best_oa_location":{"url_for_pdf":"http' };
  },
};
