import type { GenerationSummary, EvolutionStatus } from '../workflows/evolution';
import { table } from './format';

const BARS = '▁▂▃▄▅▆▇█';

/** A terminal chart of best fitness per generation: one bar per generation, scaled to the range. */
export function fitnessChart(history: GenerationSummary[], width = 60): string {
  const points = history.filter((h) => h.bestFitness !== null);
  if (!points.length) return '(no generation scored yet)';
  const values = points.map((h) => h.bestFitness!);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const bar = (v: number) => BARS[max === min ? BARS.length - 1 : Math.round(((v - min) / (max - min)) * (BARS.length - 1))]!;
  const shown = points.slice(-width);
  return [
    `best fitness per generation (${min.toFixed(3)} … ${max.toFixed(3)})`,
    shown.map((h) => bar(h.bestFitness!)).join(''),
    `gen ${shown[0]!.generation}${' '.repeat(Math.max(1, shown.length - String(shown[0]!.generation).length - String(shown[shown.length - 1]!.generation).length - 8))}gen ${shown[shown.length - 1]!.generation}`,
  ].join('\n');
}

export function renderStatus(s: EvolutionStatus, history: GenerationSummary[]): string {
  const lines = [
    `${s.id}: ${s.status}${s.stopReason ? ` (${s.stopReason})` : ''}`,
    `generation ${s.generation} · best fitness ${s.bestFitness?.toFixed(4) ?? '—'} · backtests ${s.backtestsUsed}${s.budget.maxBacktests ? `/${s.budget.maxBacktests}` : ''} · tokens ${s.tokensUsed}${s.budget.maxTokens ? `/${s.budget.maxTokens}` : ''}`,
  ];
  if (s.best) {
    const st = s.best.statistics;
    lines.push(`best ${s.best.variantId} (${s.best.codeHash.slice(0, 12)}): Sharpe ${st.sharpeRatio ?? '—'}, drawdown ${st.drawdown ?? '—'}%, CAR ${st.compoundingAnnualReturn ?? '—'}%, win ${st.winRate ?? '—'}%, orders ${st.totalOrders ?? '—'}`);
  }
  if (s.inFlight.length) lines.push(`in flight: ${s.inFlight.map((f) => `${f.variantId} (${f.stage})`).join(', ')}`);
  if (history.length) {
    lines.push(
      table(
        history.map((h) => ({ gen: h.generation, best: h.bestFitness?.toFixed(4) ?? '—', mean: h.meanFitness?.toFixed(4) ?? '—', ok: h.evaluated, failed: h.failed, dup: h.duplicates, up: h.improved ? '↑' : '' })),
        [
          { key: 'gen', header: 'Gen' },
          { key: 'best', header: 'Best' },
          { key: 'mean', header: 'Mean' },
          { key: 'ok', header: 'Scored' },
          { key: 'failed', header: 'Failed' },
          { key: 'dup', header: 'Dup' },
          { key: 'up', header: '' },
        ],
      ),
    );
    lines.push(fitnessChart(history));
  }
  return lines.join('\n');
}

/** Maps Temporal's execution status and the run's own status to what `evolve status` reports. */
export function runStatus(execution: string, own: EvolutionStatus['status'] | undefined): EvolutionStatus['status'] {
  if (execution === 'RUNNING' || execution === 'CONTINUED_AS_NEW') return own ?? 'running';
  if (execution === 'COMPLETED') return own === 'stopped' ? 'stopped' : 'completed';
  if (execution === 'CANCELLED' || execution === 'TERMINATED') return 'stopped';
  return 'failed';
}
