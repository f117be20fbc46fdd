import { CrossrefClient } from '../../activities/crossref';
import { BadRequestError, MalformedResponseError, RateLimitedError, ServiceUnavailableError } from '../../domain/errors';
import { crossrefWorks, fakeHttp } from '../helpers/fake-http';

describe('CrossRef client', () => {
  const client = (url: string, timeoutMs = 2000) => new CrossrefClient({ baseUrl: url, mailto: 'team@example.org', timeoutMs, userAgent: 'QuantCoder/test' });

  it('asks /works politely and reads the envelope, JATS abstracts and dates', async () => {
    const server = await fakeHttp((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(crossrefWorks(['A', 'B'])));
    try {
      const papers = await client(server.url).searchWorks('time series momentum', 2);
      expect(papers.map((p) => p.title)).toEqual(['A', 'B']);
      expect(papers[0]!.abstract).toBe('Momentum & trend.');
      expect(papers[0]!.year).toBe(2020);
      expect(papers[1]!.year).toBe(2019);
      expect(papers[0]!.doi).toBe('10.1234/qc.1');
      const req = server.requests[0]!;
      const url = new URL(req.url, server.url);
      expect(url.pathname).toBe('/works');
      expect(url.searchParams.get('query')).toBe('time series momentum');
      expect(url.searchParams.get('rows')).toBe('2');
      expect(url.searchParams.get('select')).toContain('DOI');
      expect(req.headers['user-agent']).toContain('mailto:team@example.org');
    } finally {
      await server.close();
    }
  });

  it('reports malformed JSON as a retryable malformed response', async () => {
    const server = await fakeHttp((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","mess'));
    try {
      await expect(client(server.url).searchWorks('x', 1)).rejects.toBeInstanceOf(MalformedResponseError);
    } finally {
      await server.close();
    }
  });

  it('carries Retry-After from a 429', async () => {
    const server = await fakeHttp((_req, res) => res.writeHead(429, { 'retry-after': '7' }).end('slow down'));
    try {
      const err = await client(server.url).searchWorks('x', 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitedError);
      expect((err as RateLimitedError).retryAfterMs).toBe(7000);
      expect((err as RateLimitedError).retryable).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('treats 500 as transient and 400 as permanent', async () => {
    const server = await fakeHttp((_req, res) => res.writeHead(500).end('boom'));
    try {
      await expect(client(server.url).searchWorks('x', 1)).rejects.toBeInstanceOf(ServiceUnavailableError);
      server.setHandler((_req, res) => res.writeHead(400).end('bad query'));
      const err = await client(server.url).searchWorks('x', 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).retryable).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('gives up on a server that never answers, as a retryable timeout', async () => {
    const server = await fakeHttp(() => undefined);
    try {
      const started = Date.now();
      const err = await client(server.url, 300).searchWorks('x', 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceUnavailableError);
      expect((err as Error).message).toMatch(/timed out/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await server.close();
    }
  });
});
