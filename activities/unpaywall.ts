import { BadRequestError, InvalidInputError, MalformedResponseError } from '../domain/errors';
import { NoOpenAccessError } from '../domain/errors';
import { httpJson } from './http';

const SERVICE = 'unpaywall';

export interface UnpaywallClientOptions {
  /** `https://api.unpaywall.org`, or the sandbox's `/unpaywall`. */
  baseUrl: string;
  /** Unpaywall requires a contact address on every request (a missing one answers 422). */
  email: string;
  timeoutMs: number;
  userAgent?: string;
}

export interface UnpaywallLocation {
  url: string | null;
  urlForPdf: string | null;
  urlForLandingPage: string | null;
  hostType: string | null;
  version: string | null;
  license: string | null;
  isBest: boolean;
}

export interface UnpaywallRecord {
  doi: string;
  isOa: boolean;
  /** `closed`, `green`, `bronze`, `hybrid`, `gold`. */
  oaStatus: string | null;
  bestOaLocation: UnpaywallLocation | null;
  oaLocations: UnpaywallLocation[];
  title: string | null;
  year: number | null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

function location(raw: unknown): UnpaywallLocation | null {
  if (!raw || typeof raw !== 'object') return null;
  const l = raw as Record<string, unknown>;
  return {
    url: text(l.url),
    urlForPdf: text(l.url_for_pdf),
    urlForLandingPage: text(l.url_for_landing_page),
    hostType: text(l.host_type),
    version: text(l.version),
    license: text(l.license),
    isBest: l.is_best === true,
  };
}

/** Reads Unpaywall's `/v2/{doi}` record, tolerating missing optional keys. */
export function parseUnpaywallRecord(body: unknown, doi: string): UnpaywallRecord {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new MalformedResponseError(`Unpaywall answered for ${doi} with something that is not a JSON object`, { service: SERVICE });
  }
  const b = body as Record<string, unknown>;
  if (b.error === true) throw new BadRequestError(`Unpaywall refused ${doi}: ${text(b.message) ?? 'no message'}`, { service: SERVICE });
  return {
    doi: (text(b.doi) ?? doi).toLowerCase(),
    isOa: b.is_oa === true,
    oaStatus: text(b.oa_status),
    bestOaLocation: location(b.best_oa_location),
    oaLocations: Array.isArray(b.oa_locations) ? b.oa_locations.map(location).filter((l): l is UnpaywallLocation => l !== null) : [],
    title: text(b.title),
    year: typeof b.year === 'number' ? b.year : null,
  };
}

/** The open-access PDF URLs of a record, best location first, without duplicates. */
export function openAccessPdfUrls(record: UnpaywallRecord): string[] {
  const urls = [record.bestOaLocation, ...record.oaLocations].flatMap((l) => (l?.urlForPdf ? [l.urlForPdf] : []));
  return [...new Set(urls)];
}

/** A DOI as Unpaywall and CrossRef know it: lower case, without a doi.org prefix. */
export function normaliseDoi(doi: string): string {
  const d = doi.trim().replace(/^(https?:\/\/(dx\.)?doi\.org\/|doi:)/i, '').toLowerCase();
  if (!/^10\.\d{4,9}\/\S+$/.test(d)) throw new InvalidInputError(`"${doi}" is not a DOI (expected 10.NNNN/…)`);
  return d;
}

/** Unpaywall's `/v2/{doi}`: where a DOI's open-access copies live. */
export class UnpaywallClient {
  constructor(private readonly options: UnpaywallClientOptions) {}

  async lookup(doi: string, signal?: AbortSignal): Promise<UnpaywallRecord> {
    const d = normaliseDoi(doi);
    const path = d.split('/').map(encodeURIComponent).join('/');
    const url = new URL(`${this.options.baseUrl.replace(/\/+$/, '')}/v2/${path}`);
    url.searchParams.set('email', this.options.email);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    try {
      const { json } = await httpJson({ service: SERVICE, url: url.toString(), headers, timeoutMs: this.options.timeoutMs, signal });
      return parseUnpaywallRecord(json, d);
    } catch (err) {
      if (err instanceof BadRequestError && /HTTP 404/.test(err.message)) {
        throw new BadRequestError(`Unpaywall does not know the DOI ${d}`, { service: SERVICE, cause: err });
      }
      throw err;
    }
  }

  /** The DOI's open-access PDF URLs, best first; NoOpenAccessError when there is none. */
  async pdfUrls(doi: string, signal?: AbortSignal): Promise<string[]> {
    const record = await this.lookup(doi, signal);
    const urls = openAccessPdfUrls(record);
    if (urls.length === 0) {
      throw new NoOpenAccessError(
        `No open-access PDF is known for DOI ${record.doi} (Unpaywall oa_status: ${record.oaStatus ?? 'unknown'}); download it yourself and run \`quantcoder run ${record.doi} --pdf FILE\``,
        { service: SERVICE },
      );
    }
    return urls;
  }
}
