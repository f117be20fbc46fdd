import { applySearchReplace, extractJson, extractPythonCode, parseSearchReplaceBlocks } from '../../domain/llm-answers';

const ALGO = [
  'from AlgorithmImports import *',
  '',
  'class Momentum(QCAlgorithm):',
  '    def initialize(self):',
  '        self.set_start_date(2020, 1, 1)',
  '        self.lookback = 20',
  '',
  '    def on_data(self, data):',
  '        if not self.portfolio.invested:',
  '            self.set_holdings("SPY", 1)',
  '',
].join('\n');

describe('code in LLM answers', () => {
  it('takes the python fence and drops the prose around it', () => {
    const answer = `Here is the algorithm:\n\n\`\`\`python\n${ALGO}\`\`\`\n\nIt buys SPY once.`;
    expect(extractPythonCode(answer)).toBe(ALGO);
  });

  it('chooses the largest python block when there are several', () => {
    const answer = `First a helper:\n\`\`\`python\nx = 1\n\`\`\`\nThen the full thing:\n\`\`\`py\n${ALGO}\`\`\`\nand a usage example:\n\`\`\`python\nprint(x)\n\`\`\``;
    expect(extractPythonCode(answer)).toBe(ALGO);
  });

  it('prefers a labelled python block over a bigger block in another language', () => {
    const answer = `\`\`\`json\n${JSON.stringify({ a: 'x'.repeat(500) })}\n\`\`\`\n\`\`\`python\nx = 1\n\`\`\``;
    expect(extractPythonCode(answer)).toBe('x = 1\n');
  });

  it('accepts an unlabelled fence, a truncated fence, and bare code after a sentence', () => {
    expect(extractPythonCode(`\`\`\`\n${ALGO}\`\`\``)).toBe(ALGO);
    expect(extractPythonCode(`\`\`\`python\n${ALGO}`)).toBe(ALGO);
    expect(extractPythonCode(`Sure! Here you go.\n${ALGO}`)).toBe(ALGO);
    expect(extractPythonCode(ALGO.replace(/\n/g, '\r\n'))).toBe(ALGO);
  });

  it('finds no code in an answer that has none', () => {
    expect(extractPythonCode('I cannot help with that.')).toBeNull();
    expect(extractPythonCode('```json\n{"a": 1}\n```')).toBeNull();
  });
});

describe('JSON in LLM answers', () => {
  const spec = { title: 'Momentum', family: 'momentum', parameters: [{ name: 'lookback', value: 20, description: 'days' }] };

  it('reads bare JSON, fenced JSON, and JSON inside prose', () => {
    expect(extractJson(JSON.stringify(spec))).toEqual({ ok: true, value: spec });
    expect(extractJson(`Here is the spec:\n\`\`\`json\n${JSON.stringify(spec, null, 2)}\n\`\`\`\nDone.`)).toEqual({ ok: true, value: spec });
    expect(extractJson(`The specification is ${JSON.stringify(spec)} as requested {not json}.`)).toEqual({ ok: true, value: spec });
  });

  it('forgives trailing commas and braces inside strings', () => {
    expect(extractJson('{"a": [1, 2,], "b": "x } y",}')).toEqual({ ok: true, value: { a: [1, 2], b: 'x } y' } });
  });

  it('says why when there is no usable JSON', () => {
    const none = extractJson('no json here');
    expect(none.ok).toBe(false);
    const broken = extractJson('```json\n{"a": \n```');
    expect(broken).toMatchObject({ ok: false, reason: expect.stringContaining('does not parse') });
  });
});

describe('SEARCH/REPLACE edits', () => {
  const edit = (search: string, replace: string) => `<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE`;

  it('parses several blocks, ignoring fences and prose, and applies them in order', () => {
    const answer = [
      'I will lengthen the lookback and add a stop.',
      '```python',
      edit('        self.lookback = 20', '        self.lookback = 60'),
      '```',
      'and',
      edit('            self.set_holdings("SPY", 1)', '            self.set_holdings("SPY", 1)\n            self.stop_loss = 0.05'),
    ].join('\n');
    const parsed = parseSearchReplaceBlocks(answer);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.blocks).toHaveLength(2);
    const result = applySearchReplace(ALGO, parsed.blocks);
    if (!result.ok) throw new Error(result.message);
    expect(result.code).toContain('self.lookback = 60');
    expect(result.code).toContain('            self.stop_loss = 0.05\n');
    expect(result.code.endsWith('\n')).toBe(true);
    expect(result.code.split('\n')).toHaveLength(ALGO.split('\n').length + 1);
  });

  it('deletes lines when the replacement is empty', () => {
    const parsed = parseSearchReplaceBlocks('<<<<<<< SEARCH\n        self.lookback = 20\n=======\n>>>>>>> REPLACE');
    if (!parsed.ok) throw new Error(parsed.reason);
    const result = applySearchReplace(ALGO, parsed.blocks);
    expect(result.ok && result.code).toBe(ALGO.replace('        self.lookback = 20\n', ''));
  });

  it('falls back to ignoring trailing spaces, but not indentation', () => {
    const trailing = parseSearchReplaceBlocks(edit('        self.lookback = 20   ', '        self.lookback = 30'));
    if (!trailing.ok) throw new Error(trailing.reason);
    expect(applySearchReplace(ALGO, trailing.blocks)).toMatchObject({ ok: true, code: expect.stringContaining('self.lookback = 30') });

    const indented = parseSearchReplaceBlocks(edit('    self.lookback = 20', '    self.lookback = 30'));
    if (!indented.ok) throw new Error(indented.reason);
    expect(applySearchReplace(ALGO, indented.blocks)).toMatchObject({ ok: false, failedBlock: 1, reason: 'not_found' });
  });

  it('reports which block failed to match and leaves the rest unapplied', () => {
    const parsed = parseSearchReplaceBlocks([edit('        self.lookback = 20', '        self.lookback = 60'), edit('        self.fast = 5', '        self.fast = 10')].join('\n'));
    if (!parsed.ok) throw new Error(parsed.reason);
    const result = applySearchReplace(ALGO, parsed.blocks);
    expect(result).toMatchObject({ ok: false, failedBlock: 2, reason: 'not_found', message: expect.stringContaining('block 2 of 2') });
  });

  it('refuses an empty SEARCH', () => {
    const parsed = parseSearchReplaceBlocks('<<<<<<< SEARCH\n=======\nx = 1\n>>>>>>> REPLACE');
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(applySearchReplace(ALGO, parsed.blocks)).toMatchObject({ ok: false, failedBlock: 1, reason: 'empty_search' });
  });

  it('refuses a SEARCH that matches several places', () => {
    const parsed = parseSearchReplaceBlocks(edit('    def on_data(self, data):', '    def on_data(self, slice):'));
    if (!parsed.ok) throw new Error(parsed.reason);
    const doubled = ALGO + ALGO.split('\n').slice(7).join('\n');
    expect(applySearchReplace(doubled, parsed.blocks)).toMatchObject({ ok: false, failedBlock: 1, reason: 'ambiguous' });
    expect(applySearchReplace(ALGO, parsed.blocks)).toMatchObject({ ok: true });
  });

  it('rejects malformed edit answers with a reason', () => {
    expect(parseSearchReplaceBlocks('no edits, sorry')).toMatchObject({ ok: false, reason: expect.stringContaining('no SEARCH/REPLACE') });
    expect(parseSearchReplaceBlocks('<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n')).toMatchObject({ ok: false, reason: expect.stringContaining('not closed') });
    expect(parseSearchReplaceBlocks('<<<<<<< SEARCH\nx = 1\n>>>>>>> REPLACE')).toMatchObject({ ok: false, reason: expect.stringContaining('divider') });
  });
});
