import { analyseAlgorithm, fineFraction, periodNoisePhase, syntheticStatistics } from '../../sandbox/landscape';
import { applyEdits, fineValue, mutationEdits, type MutationMode } from '../../sandbox/llm/edits';
import { BASELINE } from '../../bench/baseline';

const date = (d: string) => d.split('-').map(Number).join(', ');
const over = (code: string, start: string, end: string) =>
  code.replace(/self\.set_start_date\([^)]*\)/, `self.set_start_date(${date(start)})`).replace(/self\.set_end_date\([^)]*\)/, `self.set_end_date(${date(end)})`);
const sharpe = (code: string) => Number(syntheticStatistics(code).statistics['Sharpe Ratio']);
const A = ['2015-01-01', '2019-12-31'] as const;
const B = ['2020-01-01', '2022-12-31'] as const;

/** A deterministic uniform generator for the scripted model's choices. */
function seeded(seed: number): () => number {
  let s = (seed * 7919 + 104_729) % 2147483647;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 5; i++) next();
  return next;
}

describe('the landscape\'s overfitting trap', () => {
  it('reads fine digits from literals of 4 or more significant digits only', () => {
    expect(fineFraction('0.080372')).toBeCloseTo(0.372, 12);
    expect(fineFraction('131.23')).toBeCloseTo(0.123, 12);
    for (const plain of ['0.08', '252', '100000', '1.500', '2.5']) expect(fineFraction(plain)).toBeNull();
    const code = BASELINE.replace('self.stop_loss = 0.3', 'self.stop_loss = 0.30372').replace('if self.mom.current.value > 0:', 'if self.mom.current.value > 0 and self.mom.current.value < 5.1234:');
    expect(analyseAlgorithm(code).fineLiterals).toEqual(['0.30372', '5.1234']);
    expect(analyseAlgorithm(BASELINE).fineLiterals).toEqual([]);
  });

  it('rewards a value tuned to one period\'s noise on that period and costs it on another, while a genuine improvement holds on both', () => {
    const fitted = fineValue(0.3, periodNoisePhase(...A));
    const tuned = BASELINE.replace('self.stop_loss = 0.3', `self.stop_loss = ${fitted}`);
    expect(sharpe(over(tuned, ...A))).toBeGreaterThan(sharpe(over(BASELINE, ...A)) + 0.5);
    expect(sharpe(over(tuned, ...B))).toBeLessThan(sharpe(over(BASELINE, ...B)) - 0.2);
    // a plain step toward the optimum (0.08)
    const genuine = BASELINE.replace('self.stop_loss = 0.3', 'self.stop_loss = 0.12');
    expect(sharpe(over(genuine, ...A))).toBeGreaterThan(sharpe(over(BASELINE, ...A)));
    expect(sharpe(over(genuine, ...B))).toBeGreaterThan(sharpe(over(BASELINE, ...B)));
  });

  it('has a scripted model that, told to tune to its period, writes values fitted to the period in the code; random precision is rare; biased steps are plain', () => {
    const literalsAfter = (mode: MutationMode, seed: number) => {
      const code = over(BASELINE, ...A);
      const rng = seeded(seed);
      const { edits, lines } = mutationEdits(code, seed % 2 ? 'entry_exit' : 'risk_management', rng, mode);
      return analyseAlgorithm(applyEdits(lines, edits).join('\n')).fineLiterals;
    };
    const phase = periodNoisePhase(...A);
    const steered = Array.from({ length: 20 }, (_, i) => literalsAfter('tune-to-period', i + 1));
    expect(steered.every((l) => l.length === 1)).toBe(true);
    for (const [literal] of steered) expect(Math.abs(fineFraction(literal!)! - phase)).toBeLessThan(0.002);
    const random = Array.from({ length: 60 }, (_, i) => literalsAfter('random', i + 1).length);
    expect(random.filter((n) => n > 0).length).toBeGreaterThan(0);
    expect(random.filter((n) => n > 0).length).toBeLessThan(30);
    expect(Array.from({ length: 20 }, (_, i) => literalsAfter('biased-toward-optimum', i + 1).length).every((n) => n === 0)).toBe(true);
  });
});
