import { XMLParser } from 'fast-xml-parser';
import { Agent, interceptors, request } from 'undici';
import { parseCrossrefWorks } from '../../domain/papers';
import { startSandbox, type SandboxHandle } from '../../sandbox';
import { CORPUS_PAPERS } from '../../sandbox/corpus/catalogue';
import { getJson, getText, pdfText } from './helpers';

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.stop());

const momentum = CORPUS_PAPERS.find((p) => p.family === 'momentum')!;
const pairs = CORPUS_PAPERS.find((p) => p.family === 'pairs')!;

describe('CrossRef', () => {
  it('ranks the catalogue by relevance in the works envelope', async () => {
    const { status, json } = await getJson(`${sandbox.url}/crossref/works?query=${encodeURIComponent('pairs trading cointegration')}&rows=5`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ status: 'ok', 'message-type': 'work-list', message: { 'items-per-page': 5 } });
    expect(json.message['total-results']).toBeGreaterThanOrEqual(1);
    expect(json.message.items[0].DOI).toBe(pairs.doi);
    const papers = parseCrossrefWorks(json);
    expect(papers[0]).toMatchObject({ doi: pairs.doi, year: 2019, title: pairs.title });
    expect(papers[0]!.authors).toEqual(['Hannah Vogelsang', 'Diego Arrieta', 'Wen Zhou']);
  });

  it('serves records that vary like real ones: dates, JATS or missing abstracts, PDF links', async () => {
    const { json } = await getJson(`${sandbox.url}/crossref/works?query=momentum&rows=20`);
    const items: any[] = json.message.items;
    const first = items.find((i) => i.DOI === momentum.doi);
    expect(first['published-print']).toEqual({ 'date-parts': [[2021, 3]] });
    expect(first.URL).toBe(`https://doi.org/${momentum.doi}`);
    expect(first.abstract).toMatch(/^<jats:title>Abstract<\/jats:title><jats:p>We study time-series momentum/);
    expect(first.author[0]).toEqual({ given: 'Elena', family: 'Marquardt', sequence: 'first', affiliation: [{ name: 'Meridian Institute of Finance' }] });
    const pdfLink = first.link.find((l: any) => l['content-type'] === 'application/pdf');
    expect(pdfLink.URL).toBe(`${sandbox.url}/papers/${momentum.slug}.pdf`);
    expect(items.some((i) => i.abstract === undefined)).toBe(true);
    expect(items.some((i) => i['published-print'] === undefined)).toBe(true);
    const factor = await getJson(`${sandbox.url}/crossref/works/${CORPUS_PAPERS.find((p) => p.family === 'factor')!.doi}`);
    expect(factor.json.message['published-print']).toBeUndefined();
    expect(factor.json.message['published-online']).toBeUndefined();
    expect(factor.json.message.issued).toEqual({ 'date-parts': [[2023, 6]] });
    expect(parseCrossrefWorks({ status: 'ok', message: { items: [factor.json.message] } })[0]!.year).toBe(2023);
  });

  it('honours select and rows, and lists closed works too', async () => {
    const { json } = await getJson(`${sandbox.url}/crossref/works?query=momentum&rows=1&select=DOI,title`);
    expect(json.message.items).toHaveLength(1);
    expect(Object.keys(json.message.items[0]).sort()).toEqual(['DOI', 'title']);
    const all = await getJson(`${sandbox.url}/crossref/works?query=momentum%20crashes%20emerging`);
    expect(all.json.message.items[0].DOI).toBe('10.5555/jef.2020.0455');
    const bad = await getJson(`${sandbox.url}/crossref/works?query=x&rows=abc`);
    expect(bad.status).toBe(400);
    expect(bad.json.status).toBe('failed');
  });

  it('answers an unknown DOI with 404 "Resource not found."', async () => {
    const res = await getText(`${sandbox.url}/crossref/works/10.5555/does-not-exist`);
    expect(res.status).toBe(404);
    expect(res.text).toBe('Resource not found.');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });
});

describe('arXiv', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });

  it('answers an Atom feed with versioned ids, pdf links and categories', async () => {
    const res = await getText(`${sandbox.url}/arxiv/api/query?search_query=${encodeURIComponent('all:"bollinger" AND all:reversion')}&start=0&max_results=5&sortBy=relevance`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const feed = parser.parse(res.text).feed;
    expect(Number(feed['opensearch:totalResults']['#text'])).toBeGreaterThanOrEqual(1);
    const entries = Array.isArray(feed.entry) ? feed.entry : [feed.entry];
    const top = entries[0];
    expect(top.id).toBe(`${sandbox.url}/arxiv/abs/2011.09342v1`);
    expect(top.title).toContain('Short-Horizon Mean Reversion');
    expect(top.summary).toContain('negative autocorrelation');
    expect(top['arxiv:primary_category']['@term']).toBe('q-fin.TR');
    const pdfLink = (top.link as any[]).find((l) => l['@title'] === 'pdf');
    expect(pdfLink['@href']).toBe(`${sandbox.url}/arxiv/pdf/2011.09342v1`);
    const authors = Array.isArray(top.author) ? top.author : [top.author];
    expect(authors.map((a: any) => a.name)).toEqual(['Priya Raghunathan', 'Marcus Oyelaran']);
    const pdf = await request(pdfLink['@href']);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const { text } = await pdfText(new Uint8Array(await pdf.body.arrayBuffer()));
    expect(text).toContain('Bollinger');
  });

  it('pages with start and max_results, looks up id_list, and rejects a bad start', async () => {
    const page = parser.parse((await getText(`${sandbox.url}/arxiv/api/query?search_query=all:momentum&start=1&max_results=1`)).text).feed;
    expect(Number(page['opensearch:startIndex']['#text'])).toBe(1);
    expect(Array.isArray(page.entry)).toBe(false);
    const byId = parser.parse((await getText(`${sandbox.url}/arxiv/api/query?id_list=1907.11853`)).text).feed;
    expect(byId.entry.id).toBe(`${sandbox.url}/arxiv/abs/1907.11853v3`);
    const none = parser.parse((await getText(`${sandbox.url}/arxiv/api/query?search_query=all:quantumgravity`)).text).feed;
    expect(Number(none['opensearch:totalResults']['#text'])).toBe(0);
    expect(none.entry).toBeUndefined();
    expect((await getText(`${sandbox.url}/arxiv/api/query?search_query=all:x&start=-1`)).status).toBe(400);
  });
});

describe('Unpaywall', () => {
  it('lists open locations whose url_for_pdf leads back to the sandbox', async () => {
    const { status, json } = await getJson(`${sandbox.url}/unpaywall/v2/${momentum.doi.toUpperCase()}?email=test@example.org`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ doi: momentum.doi, is_oa: true, oa_status: 'gold' });
    expect(json.best_oa_location).toMatchObject({ url_for_pdf: `${sandbox.url}/papers/${momentum.slug}.pdf`, host_type: 'publisher', version: 'publishedVersion', is_best: true });
    expect(json.oa_locations.length).toBeGreaterThanOrEqual(1);
    const pdf = await request(json.best_oa_location.url_for_pdf);
    expect(pdf.statusCode).toBe(200);
    expect(Buffer.from(await pdf.body.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('has a bronze record without url_for_pdf and closed records without locations', async () => {
    const bronze = await getJson(`${sandbox.url}/unpaywall/v2/${CORPUS_PAPERS.find((p) => p.family === 'volatility')!.doi}?email=test@example.org`);
    expect(bronze.json.oa_status).toBe('bronze');
    expect(bronze.json.best_oa_location.url_for_pdf).toBeNull();
    const landing = await getText(bronze.json.best_oa_location.url_for_landing_page);
    expect(landing.headers['content-type']).toMatch(/^text\/html/);
    expect(landing.text).toContain('citation_pdf_url');
    const closed = await getJson(`${sandbox.url}/unpaywall/v2/10.5555/jef.2020.0455?email=test@example.org`);
    expect(closed.json).toMatchObject({ is_oa: false, oa_status: 'closed', best_oa_location: null, oa_locations: [] });
  });

  it('answers 404 for an unknown DOI and 422 without an email', async () => {
    const unknown = await getJson(`${sandbox.url}/unpaywall/v2/10.5555/nothing-here?email=test@example.org`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toBe(true);
    expect(typeof unknown.json.message).toBe('string');
    expect((await getJson(`${sandbox.url}/unpaywall/v2/${momentum.doi}`)).status).toBe(422);
  });
});

describe('publisher files and download traps', () => {
  it('sets the landing-page trap: url_for_pdf answers text/html', async () => {
    const { json } = await getJson(`${sandbox.url}/unpaywall/v2/${pairs.doi}?email=test@example.org`);
    const trap = await getText(json.best_oa_location.url_for_pdf);
    expect(trap.status).toBe(200);
    expect(trap.headers['content-type']).toMatch(/^text\/html/);
    expect(trap.text.startsWith('%PDF-')).toBe(false);
    const real = json.oa_locations.find((l: any) => !l.is_best);
    const pdf = await request(real.url_for_pdf);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    await pdf.body.dump();
  });

  it('serves a corrupt PDF that pdfjs-dist rejects', async () => {
    const res = await request(`${sandbox.url}/papers/corrupt.pdf`);
    expect(res.headers['content-type']).toBe('application/pdf');
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
    await expect(pdfText(bytes)).rejects.toThrow();
  });

  it('loops redirects until a client gives up', async () => {
    const first = await request(`${sandbox.url}/papers/loop/a?doi=x`);
    expect(first.statusCode).toBe(302);
    expect(first.headers.location).toBe(`${sandbox.url}/papers/loop/b?doi=x`);
    await first.body.dump();
    const agent = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));
    await expect(request(`${sandbox.url}/papers/loop/a`, { dispatcher: agent }).then((r) => r.body.dump())).rejects.toThrow(/redirect/i);
    await agent.close();
  });

  it('follows a single legitimate redirect to the PDF', async () => {
    const agent = new Agent().compose(interceptors.redirect({ maxRedirections: 3 }));
    const res = await request(`${sandbox.url}/papers/redirect/${CORPUS_PAPERS.find((p) => p.family === 'trend')!.slug}.pdf`, { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    await res.body.dump();
    await agent.close();
  });

  it('serves a PDF larger than the configured cap, declared or only counted', async () => {
    sandbox.configure({ maxPdfBytes: 100_000 });
    const declared = await request(`${sandbox.url}/papers/oversized.pdf`);
    expect(Number(declared.headers['content-length'])).toBeGreaterThan(100_000);
    expect((await declared.body.arrayBuffer()).byteLength).toBe(Number(declared.headers['content-length']));
    const chunked = await request(`${sandbox.url}/papers/oversized-chunked.pdf`);
    expect(chunked.headers['content-length']).toBeUndefined();
    let received = 0;
    for await (const chunk of chunked.body) received += (chunk as Buffer).length;
    expect(received).toBeGreaterThan(100_000);
  });

  it('streams endlessly until the client stops reading', async () => {
    const controller = new AbortController();
    const res = await request(`${sandbox.url}/papers/endless.pdf`, { signal: controller.signal });
    let received = 0;
    await expect(
      (async () => {
        for await (const chunk of res.body) {
          received += (chunk as Buffer).length;
          if (received > 3 * 1024 * 1024) controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(received).toBeGreaterThan(3 * 1024 * 1024);
  });
});
