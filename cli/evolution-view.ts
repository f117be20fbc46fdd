import { fitness, type EvaluatedVariant, type FitnessWeights } from '../domain/evolution';
import type { OverfittingReport } from '../domain/holdout';
import type { DailyEquity } from '../domain/overfitting';
import type { StatisticsSummary } from '../domain/pipeline';
import type { VariantRow } from '../store/variants';

export type { VariantRow } from '../store/variants';
import type { GenerationSummary, EvolutionStatus } from '../workflows/evolution';
import { table } from './format';
import { statisticsLine } from './pipeline-view';
import { runState, type RunState } from './run-states';

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

export function renderStatus(s: ViewedStatus, history: GenerationSummary[]): string {
  const lines = [
    `${s.id}: ${s.status}${s.stopReason ? ` (${s.stopReason})` : ''}`,
    `generation ${s.generation} · best fitness ${s.bestFitness?.toFixed(4) ?? '—'} · backtests ${s.backtestsUsed}${s.budget.maxBacktests ? `/${s.budget.maxBacktests}` : ''} · tokens ${s.tokensUsed}${s.budget.maxTokens ? `/${s.budget.maxTokens}` : ''}${s.seed === undefined ? '' : ` · seed ${s.seed}`}`,
  ];
  if (s.best) {
    const st = s.best.statistics;
    lines.push(`best ${s.best.variantId} (${s.best.codeHash.slice(0, 12)}): Sharpe ${st.sharpeRatio ?? '—'}, drawdown ${st.drawdown ?? '—'}%, CAR ${st.compoundingAnnualReturn ?? '—'}%, win ${st.winRate ?? '—'}%, orders ${st.totalOrders ?? '—'}`);
  }
  if (s.overfitting) lines.push(...overfittingLines(s.overfitting));
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

/**
 * The best program in and out of sample, side by side, with the probabilistic and deflated
 * Sharpe ratios and the verdict (and why). Says when the holdout was off and when normal returns were assumed.
 */
export function overfittingLines(o: OverfittingReport): string[] {
  const f = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '—' : x.toFixed(digits));
  const col = (st: StatisticsSummary | null) =>
    st ? [f(st.sharpeRatio), st.drawdown === null ? '—' : `${st.drawdown}%`, st.compoundingAnnualReturn === null ? '—' : `${st.compoundingAnnualReturn}%`, String(st.totalOrders ?? '—')] : ['—', '—', '—', '—'];
  const [is, oos] = [col(o.inSample), col(o.outOfSample)];
  const rows = ['Sharpe', 'Drawdown', 'CAR', 'Orders'].map((metric, i) => ({ metric, in: is[i]!, out: oos[i]! }));
  const lines = [
    `overfitting check of ${o.variantId}:`,
    table(rows, [
      { key: 'metric', header: '' },
      { key: 'in', header: o.split ? `In sample ${o.split.inSample.start}..${o.split.inSample.end}` : 'In sample' },
      { key: 'out', header: o.split ? `Out of sample ${o.split.outOfSample.start}..${o.split.outOfSample.end}` : 'Out of sample' },
    ]),
  ];
  if (o.outOfSampleNote) lines.push(`out of sample: none, ${o.outOfSampleNote}`);
  lines.push(`PSR ${f(o.probabilisticSharpe, 3)} · DSR ${f(o.deflatedSharpe, 3)} over ${o.trials} trial${o.trials === 1 ? '' : 's'} (${o.observations} in-sample days)`);
  lines.push(returnShapeLine(o));
  lines.push(`verdict: ${o.verdict ?? 'none'} — ${o.reasons.join('; ')}`);
  return lines;
}

/** Where PSR and DSR took the shape of the daily returns from, or why they assumed normal returns. */
export function returnShapeLine(o: OverfittingReport): string {
  const r = o.returns;
  if (!o.assumedNormal && r) return `PSR and DSR use the skewness ${r.skewness.toFixed(2)} and kurtosis ${r.kurtosis.toFixed(2)} of ${r.observations} daily returns of the in-sample equity curve`;
  return `PSR and DSR assume normal daily returns (skewness 0, kurtosis 3): ${r?.note ?? 'the daily equity curve was not read'}`;
}

/** `renderStatus` for a run that may have ended: adds why a failed run failed. */
export function renderSnapshot(s: ViewedStatus & { history: GenerationSummary[]; error: { type?: string; message: string } | null }): string {
  const view = renderStatus(s, s.history);
  return s.error ? `${view}\nerror${s.error.type ? ` (${s.error.type})` : ''}: ${s.error.message.split('\n')[0]}` : view;
}

/** Maps Temporal's execution status and the run's own status to what `evolve status` reports. */
export function runStatus(execution: string, own: EvolutionStatus['status'] | undefined): EvolutionViewStatus {
  if (execution === 'RUNNING' || execution === 'CONTINUED_AS_NEW') return own ?? 'running';
  if (execution === 'COMPLETED') return own === 'stopped' ? 'stopped' : 'completed';
  return runState(execution);
}

/** An evolution run's state: the run states every command uses, plus the evolution's own phases. */
export type EvolutionViewStatus = EvolutionStatus['status'] | RunState;

/** An evolution run's status as the views show it: live from the run, or rebuilt once it ended. */
export type ViewedStatus = Omit<EvolutionStatus, 'status'> & { status: EvolutionViewStatus };

// ── Variants recorded in the learning database ─────────────────────────────────────────────────

/** A variant as the learning database records it (the Variant table), parsed. */


const isScored = (v: VariantRow) => v.fitness !== null && (v.status === 'evaluated' || v.status === 'duplicate');

/**
 * The per-generation summary rebuilt from recorded variants, for a run whose own history is gone
 * (it failed or was terminated): best is the best so far, as the elite keeps it; mean is the generation's.
 */
export function historyFromVariants(variants: VariantRow[]): GenerationSummary[] {
  const generations = [...new Set(variants.map((v) => v.generation))].sort((a, b) => a - b);
  let bestSoFar: number | null = null;
  return generations.map((generation) => {
    const here = variants.filter((v) => v.generation === generation);
    const fits = here.filter(isScored).map((v) => v.fitness!);
    const before = bestSoFar;
    for (const f of fits) bestSoFar = bestSoFar === null ? f : Math.max(bestSoFar, f);
    return {
      generation,
      bestFitness: bestSoFar,
      meanFitness: fits.length ? fits.reduce((a, b) => a + b, 0) / fits.length : null,
      evaluated: fits.length,
      failed: here.filter((v) => v.status === 'failed').length,
      duplicates: here.filter((v) => v.status === 'duplicate').length,
      improved: bestSoFar !== null && (before === null || bestSoFar > before + 1e-9),
    };
  });
}

export interface LineageStep {
  variantId: string;
  generation: number | null;
  mutation: string | null;
  fitness: number | null;
  parents: string[];
}

/** The chain of first parents from a variant back to the baseline (a crossover's other parent is listed beside it). */
export function lineageOf(variants: VariantRow[], variantId: string): LineageStep[] {
  const byId = new Map(variants.map((v) => [v.variantId, v]));
  const chain: LineageStep[] = [];
  const seen = new Set<string>();
  for (let id: string | undefined = variantId; id && !seen.has(id); ) {
    seen.add(id);
    const v = byId.get(id);
    if (!v) {
      chain.push({ variantId: id, generation: null, mutation: null, fitness: null, parents: [] });
      break;
    }
    chain.push({ variantId: v.variantId, generation: v.generation, mutation: v.mutation, fitness: v.fitness, parents: v.parents });
    id = v.parents[0];
  }
  return chain;
}

/** The comment block `evolve export` puts above the exported algorithm. */
export function exportHeader(h: { runId: string; variant: EvaluatedVariant; lineage: LineageStep[]; databaseFile: string; exportedAt: Date }): string {
  const v = h.variant;
  const lines = [
    'QuantCoder evolution export',
    `run:        ${h.runId}`,
    `variant:    ${v.variantId} (generation ${v.generation}, island ${v.island}, ${v.mutation})`,
    `fitness:    ${v.fitness.toFixed(4)}`,
    `statistics: ${statisticsLine(v.statistics)}`,
    `code hash:  ${v.codeHash}`,
    `exported:   ${h.exportedAt.toISOString()}`,
    '',
  ];
  if (h.lineage.length) {
    lines.push('lineage (this variant first, back to the baseline):');
    for (const s of h.lineage) {
      const other = s.parents.length > 1 ? ` × ${s.parents.slice(1).join(', ')}` : '';
      lines.push(`  ${s.variantId.padEnd(6)} gen ${s.generation ?? '?'}  ${(s.mutation ?? 'not recorded').padEnd(14)} fitness ${s.fitness?.toFixed(4) ?? '—'}${other}`);
    }
  } else {
    lines.push(`lineage: not recorded in ${h.databaseFile}; parents ${v.parents.join(', ') || 'none'}`);
  }
  return lines.map((l) => (l ? `# ${l}` : '#')).join('\n');
}

// ── The HTML report ────────────────────────────────────────────────────────────────────────────

export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const fmt = (n: number | null | undefined, digits = 4) => (n === null || n === undefined ? '—' : n.toFixed(digits));

/** An SVG line chart of best and mean fitness per generation; static, readable without scripts. */
export function fitnessSvg(history: GenerationSummary[], width = 720, height = 300, outOfSample: OutOfSampleFitness | null = null): string {
  const points = history.filter((h) => h.bestFitness !== null || h.meanFitness !== null);
  const pad = { left: 64, right: 16, top: 28, bottom: 40 };
  const open = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Best and mean fitness per generation">`;
  if (!points.length) return `${open}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="muted">No generation scored yet</text></svg>`;
  const values = [...points.flatMap((h) => [h.bestFitness, h.meanFitness]), ...(outOfSample ? [outOfSample.fitness] : [])].filter((v): v is number => v !== null);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const g0 = points[0]!.generation;
  const g1 = points[points.length - 1]!.generation;
  const x = (g: number) => pad.left + (g1 === g0 ? (width - pad.left - pad.right) / 2 : ((g - g0) / (g1 - g0)) * (width - pad.left - pad.right));
  const y = (v: number) => pad.top + (1 - (v - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  const parts: string[] = [open];
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeHtml(v.toFixed(3))}</text>`);
  }
  const step = Math.max(1, Math.ceil((g1 - g0 + 1) / 12));
  for (const h of points) {
    if ((h.generation - g0) % step !== 0 && h.generation !== g1) continue;
    parts.push(`<text x="${x(h.generation).toFixed(1)}" y="${height - pad.bottom + 16}" text-anchor="middle" class="tick">${h.generation}</text>`);
  }
  parts.push(`<text x="${(pad.left + width - pad.right) / 2}" y="${height - 6}" text-anchor="middle" class="axis">generation</text>`);
  parts.push(`<text x="14" y="${(pad.top + height - pad.bottom) / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${(pad.top + height - pad.bottom) / 2})">fitness</text>`);
  const series = (key: 'bestFitness' | 'meanFitness', cls: string, label: string) => {
    const pts = points.filter((h) => h[key] !== null).map((h) => ({ g: h.generation, v: h[key]! }));
    if (!pts.length) return;
    parts.push(`<polyline class="${cls}" fill="none" points="${pts.map((p) => `${x(p.g).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) parts.push(`<circle class="${cls}" cx="${x(p.g).toFixed(1)}" cy="${y(p.v).toFixed(1)}" r="3"><title>${escapeHtml(`${label}, generation ${p.g}: ${p.v.toFixed(4)}`)}</title></circle>`);
  };
  series('meanFitness', 'mean', 'mean fitness');
  series('bestFitness', 'best', 'best fitness');
  const inLabel = outOfSample ? 'best in sample' : 'best';
  parts.push(`<g class="legend"><line x1="${pad.left + 8}" x2="${pad.left + 28}" y1="14" y2="14" class="best"/><text x="${pad.left + 32}" y="18">${inLabel}</text>`);
  const meanAt = pad.left + (outOfSample ? 138 : 78);
  parts.push(`<line x1="${meanAt}" x2="${meanAt + 20}" y1="14" y2="14" class="mean"/><text x="${meanAt + 24}" y="18">${outOfSample ? 'mean in sample' : 'mean'}</text>`);
  if (outOfSample) {
    const [cx, cy] = [x(Math.min(Math.max(outOfSample.generation, g0), g1)), y(outOfSample.fitness)];
    parts.push(`<path class="oos" d="M${cx.toFixed(1)} ${(cy - 6).toFixed(1)} L${(cx + 6).toFixed(1)} ${cy.toFixed(1)} L${cx.toFixed(1)} ${(cy + 6).toFixed(1)} L${(cx - 6).toFixed(1)} ${cy.toFixed(1)} Z"><title>${escapeHtml(`out-of-sample fitness of ${outOfSample.variantId}: ${outOfSample.fitness.toFixed(4)}`)}</title></path>`);
    parts.push(`<path class="oos" d="M${meanAt + 130} 8 L${meanAt + 136} 14 L${meanAt + 130} 20 L${meanAt + 124} 14 Z"/><text x="${meanAt + 142}" y="18">final best out of sample</text>`);
  }
  parts.push('</g>');
  parts.push('</svg>');
  return parts.join('\n');
}

/** The final best program's fitness on the holdout, placed at the generation the run ended on. */
export interface OutOfSampleFitness {
  variantId: string;
  generation: number;
  fitness: number;
}

/** One point of an equity curve as the chart draws it: Unix time in seconds and the portfolio value. */
interface EquityPoint {
  t: number;
  v: number;
}

/** The best program's equity curves on the in-sample period and on the holdout, as the chart draws them. */
export interface BestEquity {
  inSample: EquityPoint[];
  outOfSample: EquityPoint[];
}

/** The daily equity a judged run recorded for its best program, on a time axis, or null (older runs, or no chart could be read). */
export function equityOf(o: OverfittingReport | null): BestEquity | null {
  const e = o?.equity;
  if (!e) return null;
  const points = (pts: readonly DailyEquity[] | undefined) =>
    (pts ?? []).map((p) => ({ t: Date.parse(`${p.t}T00:00:00Z`) / 1000, v: p.v })).filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v));
  const curves = { inSample: points(e.inSample), outOfSample: points(e.outOfSample) };
  return curves.inSample.length || curves.outOfSample.length ? curves : null;
}

/** An SVG chart of the best program's equity in sample and out of sample, on one time axis, split by a line where the holdout starts. */
export function equitySvg(equity: BestEquity, width = 720, height = 300): string {
  const pad = { left: 76, right: 16, top: 28, bottom: 40 };
  const all = [...equity.inSample, ...equity.outOfSample];
  const open = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Equity of the best program in and out of sample" class="equity-chart">`;
  let [t0, t1] = [Math.min(...all.map((p) => p.t)), Math.max(...all.map((p) => p.t))];
  let [lo, hi] = [Math.min(...all.map((p) => p.v)), Math.max(...all.map((p) => p.v))];
  if (t1 - t0 < 1) [t0, t1] = [t0 - 43_200, t1 + 43_200];
  if (hi - lo < 1e-9) [lo, hi] = [lo - 1, hi + 1];
  const x = (t: number) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (v - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
  const parts = [open];
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeHtml(Math.round(v).toLocaleString('en-US'))}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    parts.push(`<text x="${x(t).toFixed(1)}" y="${height - pad.bottom + 16}" text-anchor="${i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}" class="tick">${day(t)}</text>`);
  }
  parts.push(`<text x="14" y="${(pad.top + height - pad.bottom) / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${(pad.top + height - pad.bottom) / 2})">equity</text>`);
  const curve = (pts: EquityPoint[], cls: string) => {
    const sorted = [...pts].sort((a, b) => a.t - b.t);
    if (sorted.length) parts.push(`<polyline class="${cls}" fill="none" points="${sorted.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}"/>`);
  };
  if (equity.inSample.length && equity.outOfSample.length) {
    const split = Math.min(...equity.outOfSample.map((p) => p.t));
    parts.push(`<line class="split" x1="${x(split).toFixed(1)}" x2="${x(split).toFixed(1)}" y1="${pad.top}" y2="${height - pad.bottom}"><title>holdout starts ${day(split)}</title></line>`);
  }
  curve(equity.inSample, 'equity-in');
  curve(equity.outOfSample, 'equity-out');
  parts.push(`<g class="legend"><line x1="${pad.left + 8}" x2="${pad.left + 28}" y1="14" y2="14" class="equity-in"/><text x="${pad.left + 32}" y="18">in sample (${equity.inSample.length} points)</text>`);
  parts.push(`<line x1="${pad.left + 200}" x2="${pad.left + 220}" y1="14" y2="14" class="equity-out"/><text x="${pad.left + 224}" y="18">out of sample (${equity.outOfSample.length} points)</text></g>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** One walk-forward fold as the report charts it: the selected program's fitness on its train window and on its test window. */
export interface FoldFitness {
  fold: number;
  test: { start: string; end: string };
  variantId: string | null;
  train: number | null;
  outOfSample: number | null;
}

/** Walk-forward folds as fitness pairs under the run's weights (empty without a walk-forward). */
export function foldFitness(o: OverfittingReport | null, weights: FitnessWeights): FoldFitness[] {
  return (o?.walkForward?.folds ?? []).map((f) => ({
    fold: f.fold,
    test: f.test,
    variantId: f.selected?.variantId ?? null,
    train: f.trainFitness,
    outOfSample: f.testStatistics ? fitness(f.testStatistics, weights) : null,
  }));
}

/** An SVG chart of walk-forward folds: fitness on each fold's train window and on the window after it. */
export function walkForwardSvg(folds: FoldFitness[], width = 720, height = 260): string {
  const pad = { left: 64, right: 16, top: 28, bottom: 40 };
  const values = folds.flatMap((f) => [f.train, f.outOfSample]).filter((v): v is number => v !== null);
  const open = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Walk-forward fitness per fold" class="walk-forward-chart">`;
  if (!values.length) return `${open}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="muted">No fold was scored</text></svg>`;
  let [lo, hi] = [Math.min(...values), Math.max(...values)];
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  const n = folds.length;
  const x = (i: number) => pad.left + (n === 1 ? (width - pad.left - pad.right) / 2 : (i / (n - 1)) * (width - pad.left - pad.right));
  const y = (v: number) => pad.top + (1 - (v - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  const parts = [open];
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeHtml(v.toFixed(3))}</text>`);
  }
  folds.forEach((f, i) => parts.push(`<text x="${x(i).toFixed(1)}" y="${height - pad.bottom + 16}" text-anchor="middle" class="tick">fold ${f.fold}</text>`));
  const series = (key: 'train' | 'outOfSample', cls: string, label: string) => {
    const pts = folds.map((f, i) => ({ i, f, v: f[key] })).filter((p): p is { i: number; f: FoldFitness; v: number } => p.v !== null);
    if (!pts.length) return;
    parts.push(`<polyline class="${cls}" fill="none" points="${pts.map((p) => `${x(p.i).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}"/>`);
    for (const p of pts) parts.push(`<circle class="${cls}" cx="${x(p.i).toFixed(1)}" cy="${y(p.v).toFixed(1)}" r="3.5"><title>${escapeHtml(`fold ${p.f.fold} ${label} (${p.f.variantId ?? 'none'}, test ${p.f.test.start}..${p.f.test.end}): ${p.v.toFixed(4)}`)}</title></circle>`);
  };
  series('train', 'wf-train', 'train fitness');
  series('outOfSample', 'wf-test', 'out-of-sample fitness');
  parts.push(`<g class="legend"><line x1="${pad.left + 8}" x2="${pad.left + 28}" y1="14" y2="14" class="wf-train"/><text x="${pad.left + 32}" y="18">train window</text>`);
  parts.push(`<line x1="${pad.left + 128}" x2="${pad.left + 148}" y1="14" y2="14" class="wf-test"/><text x="${pad.left + 152}" y="18">next window (out of sample)</text></g>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** The report's in-sample / out-of-sample section: verdict, the statistics side by side, PSR, DSR and trials, the equity curves and the fitness chart. */
export function overfittingHtml(o: OverfittingReport | null, folds: FoldFitness[] = []): string {
  const e = escapeHtml;
  const f = (n: number | null | undefined, digits = 2) => (n === null || n === undefined ? '—' : n.toFixed(digits));
  const pct = (n: number | null, digits = 1) => (n === null ? '—' : `${n.toFixed(digits)}%`);
  if (!o) return '<p class="muted" id="verdict">Not judged out of sample yet: the best program is backtested on the holdout and judged when the run ends.</p>';
  const col = (st: StatisticsSummary | null) =>
    st ? [f(st.sharpeRatio), pct(st.drawdown), pct(st.compoundingAnnualReturn), pct(st.winRate, 0), String(st.totalOrders ?? '—')] : ['—', '—', '—', '—', '—'];
  const [is, oos] = [col(o.inSample), col(o.outOfSample)];
  const rows = ['Sharpe ratio', 'Drawdown', 'Compounding annual return', 'Win rate', 'Orders'].map((m, i) => `<tr><td>${m}</td><td class="num">${e(is[i])}</td><td class="num">${e(oos[i])}</td></tr>`);
  const head = (label: string, p: { start: string; end: string } | undefined) => `${label}${p ? ` ${p.start} … ${p.end}` : ''}`;
  const cls = o.verdict ? `verdict-${o.verdict.replace(/ /g, '-')}` : 'verdict-none';
  const equity = equityOf(o);
  const equityNote = o.split
    ? 'The equity curves of the best program were not recorded for this run, so none is drawn.'
    : 'The holdout was off for this run: there is no out-of-sample equity curve to draw.';
  return [
    `<p class="verdict ${cls}" id="verdict">Verdict: <strong>${e(o.verdict ?? 'none')}</strong></p>`,
    `<ul class="reasons">${o.reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul>`,
    '<table class="side-by-side">',
    `<thead><tr><th>${e(o.variantId)}</th><th>${e(head('In sample', o.split?.inSample))}</th><th>${e(head('Out of sample', o.split?.outOfSample))}</th></tr></thead>`,
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
    o.outOfSampleNote ? `<p class="muted">${e(`Out of sample: none, ${o.outOfSampleNote}.`)}</p>` : '',
    '<dl class="summary stats">',
    `<dt>Deflated Sharpe ratio</dt><dd id="dsr">${e(f(o.deflatedSharpe, 3))}</dd>`,
    `<dt>Probabilistic Sharpe ratio</dt><dd id="psr">${e(f(o.probabilisticSharpe, 3))}</dd>`,
    `<dt>Trials</dt><dd id="trials">${o.trials} program${o.trials === 1 ? '' : 's'} scored (variance of their daily Sharpe ratios ${e(o.trialVariance.toExponential(2))})</dd>`,
    `<dt>In-sample observations</dt><dd>${o.observations} trading days</dd>`,
    '</dl>',
    `<p class="muted" id="return-shape">${e(returnShapeLine(o))}</p>`,
    '<h3>Equity of the best program</h3>',
    equity ? equitySvg(equity) : `<p class="muted" id="equity-note">${e(equityNote)}</p>`,
    folds.length
      ? `<h3>Walk-forward</h3>\n<p class="muted" id="walk-forward-note">${e(`${folds.length} anchored folds: each selects among the final elite on a growing train window and is backtested on the window after it.`)}</p>\n${walkForwardSvg(folds)}`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export interface ReportInput {
  snapshot: ViewedStatus & { history: GenerationSummary[]; execution: string; startTime: string; closeTime: string | null; error: { type?: string; message: string } | null };
  best: EvaluatedVariant | null;
  variants: VariantRow[];
  generatedAt: Date;
  /** The best program's drift from its paper's specification, when the baseline was generated from one. */
  drift?: { title: string; pipelineRunId: string; lines: string[] } | null;
  /** The final best's fitness on the holdout under the run's fitness weights, or why there is none. */
  outOfSampleFitness?: OutOfSampleFitness | null;
  outOfSampleFitnessNote?: string | null;
  /** Walk-forward folds as fitness pairs (the run was started with --folds). */
  folds?: FoldFitness[];
}

const REPORT_CSS = `
body{font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d232a;background:#fff}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dde3e9;padding-bottom:.3rem}
.muted{color:#66717d;fill:#66717d}dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1.2rem}dl.summary dt{color:#66717d}dl.summary dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eef1f4;vertical-align:top}th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.best-row{background:#fff7d6;font-weight:600}tr.failed td{color:#8a2a2a}
pre{background:#f6f8fa;border:1px solid #dde3e9;padding:1rem;overflow:auto;font-size:12.5px;line-height:1.4}
svg .grid{stroke:#eef1f4}svg .tick{font-size:11px;fill:#66717d}svg .axis{font-size:12px;fill:#66717d}
svg polyline.best{stroke:#1f6feb;stroke-width:2.5}svg circle.best{fill:#1f6feb}svg polyline.mean{stroke:#d4762c;stroke-width:2;stroke-dasharray:6 4}svg circle.mean{fill:#d4762c}
svg .legend line.best{stroke:#1f6feb;stroke-width:2.5}svg .legend line.mean{stroke:#d4762c;stroke-width:2;stroke-dasharray:6 4}svg .legend text{font-size:12px;fill:#1d232a}
.error{color:#8a2a2a}h3{font-size:1rem;margin-top:1.4rem}
.verdict{font-size:1.1rem;padding:.5rem .8rem;border-radius:4px;display:inline-block}.verdict-holds-up{background:#e6f4ea}.verdict-degrades{background:#fff4d6}.verdict-likely-overfit{background:#fde8e8}.verdict-none{background:#f6f8fa}
table.side-by-side{width:auto}svg path.oos{fill:#c0392b}svg line.split{stroke:#66717d;stroke-dasharray:4 4}
svg polyline.wf-train,svg .legend line.wf-train{stroke:#1f6feb;stroke-width:2}svg circle.wf-train{fill:#1f6feb}svg polyline.wf-test,svg .legend line.wf-test{stroke:#c0392b;stroke-width:2}svg circle.wf-test{fill:#c0392b}
svg polyline.equity-in,svg .legend line.equity-in{stroke:#1f6feb;stroke-width:1.8}svg polyline.equity-out,svg .legend line.equity-out{stroke:#c0392b;stroke-width:1.8}`;

/** What the fitness chart shows of out-of-sample fitness, and why no more. */
function fitnessNote(o: OverfittingReport | null, point: OutOfSampleFitness | null, why: string | null): string {
  if (!o) return 'Best and mean fitness per generation, in sample (the run has not been judged out of sample yet).';
  if (point)
    return 'Best and mean fitness per generation in sample (selection saw only the in-sample part). The holdout is backtested once, when the run ends, so out-of-sample fitness exists only for the final best: the diamond.';
  return `Best and mean fitness per generation in sample; no out-of-sample fitness is drawn: ${why ?? 'the run has no out-of-sample result'}.`;
}

/** A self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched) describing an evolution run. */
export function renderReportHtml(r: ReportInput): string {
  const s = r.snapshot;
  const e = escapeHtml;
  const summary: Array<[string, string]> = [
    ['Status', `${s.status}${s.stopReason ? ` — ${s.stopReason}` : ''}`],
    ['Generations', String(s.generation)],
    ['Best fitness', fmt(s.bestFitness)],
    ['Best variant', s.best ? `${s.best.variantId} (${s.best.codeHash.slice(0, 12)})` : '—'],
    ['Best statistics', r.best ? statisticsLine(r.best.statistics) : '—'],
    ['Variants recorded', `${r.variants.length} (${r.variants.filter(isScored).length} scored, ${r.variants.filter((v) => v.status === 'failed').length} failed)`],
    ['Backtests', String(s.backtestsUsed)],
    ['LLM tokens', String(s.tokensUsed)],
    ['Started', s.startTime],
    ['Closed', s.closeTime ?? 'still running'],
  ];
  const rows = r.variants.map((v) => {
    const best = r.best && v.variantId === r.best.variantId;
    const cls = best ? 'best-row' : v.status === 'failed' ? 'failed' : '';
    const firstLine = v.error ? v.error.split('\n')[0]! : '';
    return `<tr${cls ? ` class="${cls}"` : ''}><td class="num">${v.generation}</td><td>${e(v.variantId)}</td><td>${e(v.parents.join(', ') || '—')}</td><td>${e(v.mutation)}</td><td>${e(v.status)}</td><td class="num">${e(fmt(v.fitness))}</td><td class="num">${e(fmt(v.statistics?.sharpeRatio, 2))}</td><td class="num">${e(v.statistics?.drawdown === null || v.statistics?.drawdown === undefined ? '—' : `${v.statistics.drawdown.toFixed(1)}%`)}</td><td class="error">${e(firstLine)}</td></tr>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`Evolution report — ${s.id}`)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<h1>${e(`Evolution report — ${s.id}`)}</h1>
<p class="muted">Generated by QuantCoder on ${e(r.generatedAt.toISOString())}</p>
<h2>Summary</h2>
<dl class="summary">
${summary.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('\n')}
</dl>
${s.error ? `<p class="error">${e(`${s.error.type ? `${s.error.type}: ` : ''}${s.error.message}`)}</p>` : ''}
<h2>Fitness per generation</h2>
<p class="muted" id="fitness-note">${e(fitnessNote(s.overfitting, r.outOfSampleFitness ?? null, r.outOfSampleFitnessNote ?? null))}</p>
${fitnessSvg(s.history, 720, 300, r.outOfSampleFitness ?? null)}
<h2>In sample and out of sample</h2>
${overfittingHtml(s.overfitting, r.folds ?? [])}
<h2>Lineage</h2>
${
  rows.length
    ? `<table>
<thead><tr><th>Gen</th><th>Variant</th><th>Parents</th><th>Mutation</th><th>Status</th><th>Fitness</th><th>Sharpe</th><th>Drawdown</th><th>Error</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`
    : '<p class="muted">No variant of this run is recorded in the learning database.</p>'
}
${r.drift ? `<h2>Drift from the paper — ${e(r.drift.title)}</h2>\n<p class="muted">${e(`Specification from ${r.drift.pipelineRunId}`)}</p>\n<pre>${e(r.drift.lines.join('\n'))}</pre>` : ''}
<h2>Best code${r.best ? ` — ${e(r.best.variantId)}` : ''}</h2>
${r.best ? `<pre><code>${e(r.best.code)}</code></pre>` : '<p class="muted">No variant has been scored yet.</p>'}
</body>
</html>
`;
}

// ── Printing a status that refreshes ───────────────────────────────────────────────────────────

/**
 * Prints successive views of a run: on a terminal the screen is cleared and redrawn; in a pipe or
 * file only views that differ from the last one are printed, so logs do not fill with repeats.
 */
export function refreshingPrinter(out: { isTTY?: boolean; write(text: string): unknown }): (view: string) => void {
  let last: string | null = null;
  return (view) => {
    if (out.isTTY) {
      out.write(`\x1b[2J\x1b[H${view}\n`);
    } else if (view !== last) {
      out.write(`${last === null ? '' : '\n'}${view}\n`);
    }
    last = view;
  };
}
