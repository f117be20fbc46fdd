import { escapeHtml, fitnessSvg, historyFromVariants, lineageOf, refreshingPrinter, type VariantRow } from '../../cli/evolution-view';
import { retryId, visibilityQuery } from '../../cli/run-control';

const variant = (v: Partial<VariantRow> & { variantId: string; generation: number }): VariantRow => ({
  island: 0,
  parents: [],
  mutation: 'parameter_tune',
  codeHash: v.variantId,
  code: '',
  status: 'evaluated',
  fitness: null,
  statistics: null,
  error: null,
  tokens: { input: 0, output: 0 },
  createdAt: '',
  ...v,
});

describe('evolution views', () => {
  it('redraws the whole screen on a terminal, and prints only changes in a pipe', () => {
    const tty: string[] = [];
    const pipe: string[] = [];
    const onTty = refreshingPrinter({ isTTY: true, write: (t) => tty.push(t) });
    const onPipe = refreshingPrinter({ isTTY: false, write: (t) => pipe.push(t) });
    for (const view of ['gen 1', 'gen 1', 'gen 2']) {
      onTty(view);
      onPipe(view);
    }
    expect(tty).toHaveLength(3);
    expect(tty.every((t) => t.startsWith('\x1b[2J\x1b[H'))).toBe(true);
    expect(pipe.join('')).toBe('gen 1\n\ngen 2\n');
  });

  it('rebuilds the history of a run from its recorded variants: best so far, mean of the generation', () => {
    const history = historyFromVariants([
      variant({ variantId: 'v0001', generation: 0, mutation: 'baseline', fitness: 0.5 }),
      variant({ variantId: 'v0002', generation: 1, fitness: 0.3 }),
      variant({ variantId: 'v0003', generation: 1, status: 'failed' }),
      variant({ variantId: 'v0004', generation: 2, fitness: 0.7 }),
      variant({ variantId: 'v0005', generation: 2, fitness: 0.3, status: 'duplicate' }),
    ]);
    expect(history).toEqual([
      { generation: 0, bestFitness: 0.5, meanFitness: 0.5, evaluated: 1, failed: 0, duplicates: 0, improved: true },
      { generation: 1, bestFitness: 0.5, meanFitness: 0.3, evaluated: 1, failed: 1, duplicates: 0, improved: false },
      { generation: 2, bestFitness: 0.7, meanFitness: 0.5, evaluated: 2, failed: 0, duplicates: 1, improved: true },
    ]);
  });

  it('walks first parents back to the baseline, keeping a crossover\'s other parent', () => {
    const variants = [
      variant({ variantId: 'v0001', generation: 0, mutation: 'baseline', fitness: 0.1 }),
      variant({ variantId: 'v0002', generation: 1, parents: ['v0001'], fitness: 0.2 }),
      variant({ variantId: 'v0003', generation: 1, parents: ['v0001'], fitness: 0.15 }),
      variant({ variantId: 'v0004', generation: 2, parents: ['v0002', 'v0003'], mutation: 'crossover', fitness: 0.3 }),
    ];
    expect(lineageOf(variants, 'v0004').map((s) => [s.variantId, s.mutation, s.parents])).toEqual([
      ['v0004', 'crossover', ['v0002', 'v0003']],
      ['v0002', 'parameter_tune', ['v0001']],
      ['v0001', 'baseline', []],
    ]);
  });

  it('escapes HTML, and draws an empty chart with a message rather than failing', () => {
    expect(escapeHtml(`<b a="1">'x' & y</b>`)).toBe('&lt;b a=&quot;1&quot;&gt;&#39;x&#39; &amp; y&lt;/b&gt;');
    expect(fitnessSvg([])).toMatch(/<svg[^>]*>.*No generation scored yet.*<\/svg>/s);
    const one = fitnessSvg([{ generation: 0, bestFitness: 0.4, meanFitness: 0.4, evaluated: 1, failed: 0, duplicates: 0, improved: true }]);
    expect(one).not.toMatch(/NaN|Infinity/);
  });
});

describe('run control', () => {
  it('numbers retries -r1, -r2, … on the id without its retry suffix', () => {
    expect(retryId('pipeline-momentum-1a2b3c4')).toBe('pipeline-momentum-1a2b3c4-r1');
    expect(retryId('pipeline-momentum-1a2b3c4-r1')).toBe('pipeline-momentum-1a2b3c4-r2');
    expect(retryId('pipeline-momentum-1a2b3c4-r9', 2)).toBe('pipeline-momentum-1a2b3c4-r12');
  });

  it('builds visibility queries from the flags, leaving out executions that continued as new', () => {
    expect(visibilityQuery({ kind: 'pipeline', status: 'running' })).toBe('QuantCoderKind="pipeline" AND ExecutionStatus="Running"');
    expect(visibilityQuery({ status: 'cancelled' })).toBe('ExecutionStatus="Canceled"');
    expect(visibilityQuery({ kind: 'evolution' })).toBe('QuantCoderKind="evolution" AND ExecutionStatus!="ContinuedAsNew"');
  });
});
