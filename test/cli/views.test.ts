import { escapeHtml, fitnessSvg, historyFromVariants, lineageOf, refreshingPrinter, runStatus, type VariantRow } from '../../cli/evolution-view';
import { nearestCommand } from '../../cli/hooks/not-found';
import { retryId, visibilityQuery } from '../../cli/run-control';
import { runState } from '../../cli/run-states';
import { algorithmName } from '../../cli/steps';
import { applyBacktestPeriod, periodOf, validatePeriod } from '../../domain/backtest-period';

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

describe('what a new user reads', () => {
  it('names every run state the same way, an evolution ended by `runs cancel` included', () => {
    expect(['RUNNING', 'CONTINUED_AS_NEW', 'COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'].map(runState)).toEqual([
      'running',
      'running',
      'completed',
      'failed',
      'cancelled',
      'terminated',
      'timed_out',
    ]);
    expect(runStatus('CANCELLED', undefined)).toBe('cancelled');
    expect(runStatus('TERMINATED', undefined)).toBe('terminated');
    expect(runStatus('COMPLETED', 'stopped')).toBe('stopped');
    expect(runStatus('RUNNING', 'paused')).toBe('paused');
  });

  it('suggests the nearest command for a typo, keeping the words typed after it', () => {
    const ids = ['search', 'run', 'runs:show', 'runs:list', 'evolve:start', 'evolve:status', 'library:status'];
    expect(nearestCommand('serach:momentum', ids)).toEqual({ id: 'search', rest: ['momentum'] });
    expect(nearestCommand('runs:shwo:abc', ids)).toEqual({ id: 'runs:show', rest: ['abc'] });
    expect(nearestCommand('evolve:stauts', ids)).toEqual({ id: 'evolve:status', rest: [] });
    expect(nearestCommand('frobnicate', ids)).toBeNull();
  });

  it('names an algorithm run after its class, else its file', () => {
    expect(algorithmName('/x/files/main.py', 'class MomentumBaseline(QCAlgorithm):\n    pass\n')).toBe('MomentumBaseline');
    expect(algorithmName('/x/files/pairs_trade.py', 'x = 1\n')).toBe('pairs_trade');
  });

  it('refuses inverted and impossible periods, also when one date inverts the one the algorithm sets', () => {
    expect(() => validatePeriod('2023-01-01', '2020-01-01')).toThrow('--start 2023-01-01 must be before --end 2020-01-01');
    expect(() => validatePeriod('2020-02-30', undefined)).toThrow('--start 2020-02-30 is not a date');
    expect(() => validatePeriod('2019-01-01', '2020-12-31')).not.toThrow();
    const code = 'class A(QCAlgorithm):\n    def initialize(self):\n        self.set_start_date(2018, 1, 1)\n        self.set_end_date(2020, 12, 31)\n';
    expect(() => applyBacktestPeriod(code, '2022-01-01')).toThrow(/inverted: it starts 2022-01-01 and ends 2020-12-31/);
    expect(periodOf(applyBacktestPeriod(code, '2019-03-01'))).toEqual({ start: '2019-03-01', end: '2020-12-31' });
  });
});
