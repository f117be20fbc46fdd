import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { browserTest } from '../helpers/chromium';
import { crossrefWorks, fakeHttp } from '../helpers/fake-http';
import { ROOT, runCli, startCli, tempHome, waitForExit } from '../helpers/cli';
import { testAddress, testClient, uniqueTaskQueue } from '../helpers/temporal';
import { RUN_KIND } from '../../domain/search-attributes';

const { executablePath, browserIt } = browserTest('the Web UI browser test');

const SCREENSHOT = path.join(ROOT, 'test-output', 'web-ui-runs.png');

describe('the Temporal Web UI', () => {
  browserIt('lists a QuantCoder search run when filtered by its search attribute', async () => {
    if (!executablePath) throw new Error('CI must have Debian\'s chromium: scripts/ci-extras.sh installs it');
    const uiUrl = process.env.QC_TEST_TEMPORAL_UI_URL;
    if (!uiUrl) throw new Error('QC_TEST_TEMPORAL_UI_URL is not set: the jest global setup starts the dev server with its UI');

    const crossref = await fakeHttp((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(crossrefWorks(['Time Series Momentum'])));
    const home = tempHome({ crossref: { baseUrl: crossref.url } });
    const env = { QUANTCODER_HOME: home, TEMPORAL_ADDRESS: testAddress(), QUANTCODER_TASK_QUEUE: uniqueTaskQueue('webui') };
    const worker = await startCli(['worker'], env, /Worker polling/);
    const client = await testClient();
    // a run of another kind, which the filter must hide
    const other = await client.workflow.start('searchPapers', {
      taskQueue: uniqueTaskQueue('webui-unpolled'),
      workflowId: `pipeline-webui-${env.QUANTCODER_TASK_QUEUE}`,
      args: [{ query: 'other', maxResults: 1, source: 'crossref' }],
      typedSearchAttributes: [{ key: RUN_KIND, value: 'pipeline' }],
    });
    let browser: Browser | undefined;
    try {
      // the CLI starts the run with QuantCoderKind=search, as a user's run would be
      const search = await runCli(['search', 'momentum', '--max-results', '1', '--json'], env);
      expect(search.code).toBe(0);
      const { workflowId } = JSON.parse(search.stdout) as { workflowId: string };

      browser = await chromium.launch({
        executablePath,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const query = encodeURIComponent('QuantCoderKind="search"');
      const url = `${uiUrl}/namespaces/default/workflows?query=${query}`;
      const deadline = Date.now() + 45_000;
      // Visibility is eventually consistent: reload until the run is listed.
      for (;;) {
        await page.goto(url, { waitUntil: 'domcontentloaded' });
        const found = await page
          .getByText(workflowId)
          .first()
          .waitFor({ state: 'visible', timeout: 10_000 })
          .then(() => true)
          .catch(() => false);
        if (found) break;
        if (Date.now() > deadline) throw new Error(`${workflowId} never appeared at ${url}:\n${(await page.locator('body').innerText()).slice(0, 500)}`);
      }
      // the filter is applied: the run of another kind is not listed
      expect(decodeURIComponent(page.url())).toContain('QuantCoderKind="search"');
      expect(await page.getByText(other.workflowId).count()).toBe(0);
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      const png = fs.readFileSync(SCREENSHOT);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.length).toBeGreaterThan(10_000);
    } finally {
      await browser?.close();
      await other.terminate('test over').catch(() => undefined);
      await client.connection.close();
      worker.child.kill('SIGTERM');
      await waitForExit(worker.child);
      await crossref.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});
