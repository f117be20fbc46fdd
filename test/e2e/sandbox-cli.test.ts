import { extractPdfText } from '../../activities/pdf-text';
import fs from 'node:fs';
import path from 'node:path';
import { startCli, tempHome, waitForExit } from '../helpers/cli';

describe('quantcoder sandbox (the real CLI)', () => {
  it('prints its URL as JSON once listening, and serves corpus PDFs that real text extraction reads', async () => {
    const home = tempHome();
    const started = Date.now();
    const { child, output } = await startCli(['sandbox', '--port', '0', '--json'], { QUANTCODER_HOME: home }, /\{"url":"http:\/\/127\.0\.0\.1:\d+"\}/);
    const startupMs = Date.now() - started;
    try {
      const { url } = JSON.parse(/\{"url":"[^"]+"\}/.exec(output())![0]) as { url: string };
      process.stdout.write(`quantcoder sandbox answered after ${startupMs} ms\n`);
      const corpus = (await (await fetch(`${url}/__sandbox/corpus`)).json()) as { papers: Array<{ family: string; pdfUrl: string }> };
      expect(new Set(corpus.papers.map((p) => p.family))).toEqual(new Set(['momentum', 'mean_reversion', 'pairs', 'volatility', 'trend', 'factor']));
      const res = await fetch(corpus.papers[0]!.pdfUrl);
      expect(res.headers.get('content-type')).toMatch(/application\/pdf/);
      const file = path.join(home, 'paper.pdf');
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const text = await extractPdfText(file);
      expect(text.pages).toBeGreaterThanOrEqual(2);
      expect(text.sections.map((s) => s.title.toLowerCase()).join(' ')).toMatch(/introduction/);
    } finally {
      child.kill('SIGTERM');
      expect(await waitForExit(child)).toBe(0);
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
