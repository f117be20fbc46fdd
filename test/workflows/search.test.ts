import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { crossrefWorks, fakeHttp } from '../helpers/fake-http';
import { testDeps } from '../helpers/deps';
import { testClient, uniqueTaskQueue, withWorkers } from '../helpers/temporal';
import { searchPapers } from '../../workflows';

describe('search workflow', () => {
  it('stores and numbers the papers CrossRef returns', async () => {
    const crossref = await fakeHttp((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(crossrefWorks(['First', 'Second', 'Third'])));
    const deps = testDeps({ crossrefUrl: crossref.url });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('search');
    try {
      const result = await withWorkers(deps, taskQueue, () =>
        client.workflow.execute(searchPapers, { taskQueue, workflowId: `search-test-${taskQueue}`, args: [{ query: 'momentum', maxResults: 3, source: 'crossref' }] }),
      );
      expect(result.results.map((r) => [r.n, r.title])).toEqual([
        [1, 'First'],
        [2, 'Second'],
        [3, 'Third'],
      ]);
      const rows = await deps.prisma.searchResult.findMany({ include: { article: true }, orderBy: { n: 'asc' } });
      expect(rows.map((r) => r.article.title)).toEqual(['First', 'Second', 'Third']);
    } finally {
      await client.connection.close();
      await deps.cleanup();
      await crossref.close();
    }
  });

  it('waits out a 429 for the Retry-After the service asked, then completes', async () => {
    let calls = 0;
    const times: number[] = [];
    const crossref = await fakeHttp((_req, res) => {
      times.push(Date.now());
      if (++calls === 1) res.writeHead(429, { 'retry-after': '2' }).end('slow down');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(crossrefWorks(['Only']));
    });
    const deps = testDeps({ crossrefUrl: crossref.url });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('search429');
    try {
      const result = await withWorkers(deps, taskQueue, () =>
        client.workflow.execute(searchPapers, { taskQueue, workflowId: `search-429-${taskQueue}`, args: [{ query: 'q', maxResults: 1, source: 'crossref' }] }),
      );
      expect(result.results).toHaveLength(1);
      expect(calls).toBe(2);
      // the default policy would have retried after 1 s; the service asked for 2
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1900);
    } finally {
      await client.connection.close();
      await deps.cleanup();
      await crossref.close();
    }
  });

  it('fails at once, without retrying, when CrossRef rejects the request', async () => {
    const crossref = await fakeHttp((_req, res) => res.writeHead(400).end('Invalid query'));
    const deps = testDeps({ crossrefUrl: crossref.url });
    const client = await testClient();
    const taskQueue = uniqueTaskQueue('search400');
    try {
      const err = await withWorkers(deps, taskQueue, () =>
        client.workflow
          .execute(searchPapers, { taskQueue, workflowId: `search-400-${taskQueue}`, args: [{ query: 'q', maxResults: 1, source: 'crossref' }] })
          .catch((e: unknown) => e),
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const failure = (err as WorkflowFailedError).cause?.cause;
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect((failure as ApplicationFailure).type).toBe('BadRequestError');
      expect((failure as ApplicationFailure).message).toMatch(/crossref answered HTTP 400/);
      expect(crossref.requests).toHaveLength(1);
    } finally {
      await client.connection.close();
      await deps.cleanup();
      await crossref.close();
    }
  });
});

describe('search activities', () => {
  it('map a permanent HTTP failure to a non-retryable failure with its type', async () => {
    const crossref = await fakeHttp((_req, res) => res.writeHead(403).end('Forbidden'));
    const deps = testDeps({ crossrefUrl: crossref.url });
    try {
      // the activity fails on purpose: the SDK's warning about it would only fill the test output
      const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
      const activities = createActivities(deps);
      const err = await env.run(activities.searchCrossref, { query: 'q', rows: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).type).toBe('AuthenticationError');
      expect((err as ApplicationFailure).nonRetryable).toBe(true);
    } finally {
      await deps.cleanup();
      await crossref.close();
    }
  });

  it('store the same search twice without duplicating rows', async () => {
    const deps = testDeps({ crossrefUrl: 'http://127.0.0.1:9' });
    try {
      const env = new MockActivityEnvironment();
      const activities = createActivities(deps);
      const papers = [{ source: 'crossref' as const, externalId: '10.1/a', doi: '10.1/a', arxivId: null, title: 'A', authors: [], year: null, url: null, abstract: null, pdfUrl: null }];
      await env.run(activities.storeSearchResults, { workflowId: 'w1', query: 'q', source: 'crossref', papers });
      await env.run(activities.storeSearchResults, { workflowId: 'w1', query: 'q', source: 'crossref', papers });
      expect(await deps.prisma.searchResult.count()).toBe(1);
    } finally {
      await deps.cleanup();
    }
  });
});
