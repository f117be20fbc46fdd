import { ArxivClient, arxivSearchQuery, normaliseArxivId } from '../../activities/arxiv';
import { UnpaywallClient, normaliseDoi } from '../../activities/unpaywall';
import { BadRequestError, MalformedResponseError, RateLimitedError, ServiceUnavailableError } from '../../domain/errors';
import { NoOpenAccessError } from '../../domain/errors';
import { rejectionOf, sendJson, startServer, type TestServer } from './helpers/server';

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <link href="http://arxiv.org/api/query?search_query%3Dall%3Amomentum" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=all:momentum</title>
  <id>http://arxiv.org/api/abc</id>
  <updated>2024-01-01T00:00:00-05:00</updated>
  <opensearch:totalResults>2</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <opensearch:itemsPerPage>2</opensearch:itemsPerPage>
  <entry>
    <id>http://arxiv.org/abs/2101.00001v2</id>
    <updated>2021-02-01T00:00:00Z</updated>
    <published>2021-01-01T18:00:00Z</published>
    <title>Time-Series Momentum
      &amp; Volatility Scaling</title>
    <summary>  We study momentum
   across 58 futures.  </summary>
    <author><name>Jane Doe</name></author>
    <author><name>John Roe</name><arxiv:affiliation>Somewhere</arxiv:affiliation></author>
    <arxiv:doi>10.1000/TSM.2021</arxiv:doi>
    <link href="http://arxiv.org/abs/2101.00001v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/2101.00001v2" rel="related" type="application/pdf"/>
    <arxiv:primary_category term="q-fin.PM" scheme="http://arxiv.org/schemas/atom"/>
    <category term="q-fin.PM" scheme="http://arxiv.org/schemas/atom"/>
    <category term="q-fin.ST" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/q-fin/0601001v1</id>
    <published>2006-01-03T00:00:00Z</published>
    <title>1234</title>
    <summary>Old style id.</summary>
    <author><name>Solo Author</name></author>
    <link href="http://arxiv.org/abs/q-fin/0601001v1" rel="alternate" type="text/html"/>
  </entry>
</feed>`;

const ERROR_FEED = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>
    <title>Error</title>
    <summary>incorrect id format for 1234</summary>
  </entry>
</feed>`;

describe('arXiv search client', () => {
  let server: TestServer;
  let body = FEED;
  let status = 200;
  let headers: Record<string, string> = { 'content-type': 'application/atom+xml; charset=utf-8' };

  beforeEach(async () => {
    body = FEED;
    status = 200;
    headers = { 'content-type': 'application/atom+xml; charset=utf-8' };
    server = await startServer((_req, res) => {
      res.writeHead(status, headers);
      res.end(body);
    });
  });
  afterEach(() => server.close());

  const client = () => new ArxivClient({ baseUrl: `${server.url}/arxiv`, timeoutMs: 2000 });

  it('reads Atom entries into papers, with ids without version, authors, year, DOI and PDF link', async () => {
    const papers = await client().search('time series momentum', 5);
    const query = new URL(server.requests[0]!.path, 'http://x');
    expect(query.pathname).toBe('/arxiv/api/query');
    expect(query.searchParams.get('search_query')).toBe('all:time AND all:series AND all:momentum');
    expect(query.searchParams.get('max_results')).toBe('5');
    expect(query.searchParams.get('sortBy')).toBe('relevance');
    expect(papers).toEqual([
      {
        source: 'arxiv',
        externalId: '2101.00001',
        arxivId: '2101.00001',
        doi: '10.1000/tsm.2021',
        title: 'Time-Series Momentum & Volatility Scaling',
        authors: ['Jane Doe', 'John Roe'],
        year: 2021,
        url: 'http://arxiv.org/abs/2101.00001v2',
        abstract: 'We study momentum across 58 futures.',
        pdfUrl: 'http://arxiv.org/pdf/2101.00001v2',
      },
      expect.objectContaining({ arxivId: 'q-fin/0601001', title: '1234', authors: ['Solo Author'], year: 2006, pdfUrl: null, doi: null }),
    ]);
  });

  it('turns arXiv\'s error feed into a bad request', async () => {
    body = ERROR_FEED;
    const err = await rejectionOf(client().search('id:1234', 1));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toContain('incorrect id format');
  });

  it('maps malformed XML, 503 and 429 to retryable errors', async () => {
    body = '<feed><entry><id>oops</entry>';
    expect(await rejectionOf(client().search('x', 1))).toBeInstanceOf(MalformedResponseError);
    status = 503;
    body = 'busy';
    expect(await rejectionOf(client().search('x', 1))).toBeInstanceOf(ServiceUnavailableError);
    status = 429;
    headers = { 'retry-after': '3' };
    const limited = await rejectionOf(client().search('x', 1));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited.retryAfterMs).toBe(3000);
  });

  it('keeps fielded queries as they are and quoted phrases together', () => {
    expect(arxivSearchQuery('ti:momentum AND cat:q-fin.PM')).toBe('ti:momentum AND cat:q-fin.PM');
    expect(arxivSearchQuery('"pairs trading" cointegration')).toBe('all:"pairs trading" AND all:cointegration');
  });

  it('normalises arXiv ids from the forms users paste', () => {
    expect(normaliseArxivId('arXiv:2101.00001v3')).toBe('2101.00001');
    expect(normaliseArxivId('https://arxiv.org/abs/2101.00001')).toBe('2101.00001');
    expect(normaliseArxivId('https://arxiv.org/pdf/2101.00001v1.pdf')).toBe('2101.00001');
    expect(normaliseArxivId('hep-th/9901001v2')).toBe('hep-th/9901001');
    expect(() => normaliseArxivId('not an id')).toThrow();
    expect(new ArxivClient({ baseUrl: 'https://export.arxiv.org', timeoutMs: 1 }).pdfUrl('2101.00001v2')).toBe('https://arxiv.org/pdf/2101.00001');
  });
});

describe('Unpaywall client', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer((req, res) => {
      const doi = decodeURIComponent(new URL(req.path, 'http://x').pathname.replace('/v2/', ''));
      if (doi === '10.1000/green') {
        return sendJson(res, 200, {
          doi,
          is_oa: true,
          oa_status: 'green',
          best_oa_location: { url: 'https://repo.example/landing', url_for_pdf: null, url_for_landing_page: 'https://repo.example/landing', is_best: true },
          oa_locations: [
            { url: 'https://repo.example/landing', url_for_pdf: null, is_best: true },
            { url: 'https://mirror.example/a.pdf', url_for_pdf: 'https://mirror.example/a.pdf', is_best: false },
          ],
        });
      }
      if (doi === '10.1000/closed') return sendJson(res, 200, { doi, is_oa: false, oa_status: 'closed', best_oa_location: null, oa_locations: [] });
      res.writeHead(404);
      return res.end();
    });
  });
  afterEach(() => server.close());
  const client = () => new UnpaywallClient({ baseUrl: server.url, email: 'me@example.org', timeoutMs: 2000 });

  it('uses any open-access location with a PDF when the best one has none', async () => {
    expect(await client().pdfUrls('https://doi.org/10.1000/GREEN')).toEqual(['https://mirror.example/a.pdf']);
    expect(server.requests[0]!.path).toBe('/v2/10.1000/green?email=me%40example.org');
  });

  it('says closed access is no open-access PDF, and an unknown DOI is a bad request', async () => {
    expect(await rejectionOf(client().pdfUrls('10.1000/closed'))).toBeInstanceOf(NoOpenAccessError);
    const unknown = await rejectionOf(client().lookup('10.1000/none'));
    expect(unknown).toBeInstanceOf(BadRequestError);
    expect(unknown.message).toContain('10.1000/none');
    expect(() => normaliseDoi('not-a-doi')).toThrow(/not a DOI/);
  });
});
