import fs from 'node:fs';
import path from 'node:path';
import { LINT_RULES_BY_ID } from '../../domain/lint';
import { checkPythonSyntax, closePythonHelpers } from '../../python';
import { lintPython, type PythonLintReport } from '../../python/lint';

const DIR = path.join(__dirname, '..', 'fixtures', 'algorithms');

/**
 * What the linter must find in each LLM-style algorithm before fixing (`found`: exactly this set
 * of rules), and which issues are still there after fixing (`left`, as `rule@line`).
 */
const EXPECTED: Record<string, { found: string[]; left?: string[] }> = {
  'crypto_btc_momentum_as_equity.py': { found: ['crypto-as-equity'] },
  'crypto_eth_rsi_usdt.py': { found: ['crypto-as-equity', 'missing-warm-up', 'wall-clock-time'] },
  'crypto_rebalance_modern.py': { found: [] },
  'factor_low_volatility_modern.py': { found: [] },
  'factor_multi_framework.py': { found: ['enum-casing', 'pascal-case-api', 'print-to-debug', 'wall-clock-time'] },
  'factor_value_fundamental_legacy.py': { found: ['enum-casing', 'pascal-case-api'] },
  'forex_carry_as_equity.py': { found: ['forex-as-equity'] },
  'forex_ema_cross_modern.py': { found: [] },
  'forex_rsi_legacy_oanda.py': { found: ['enum-casing', 'missing-warm-up', 'pascal-case-api'] },
  'mean_reversion_bollinger_legacy.py': { found: ['api-shadowing', 'enum-casing', 'pascal-case-api'] },
  'mean_reversion_intraday_vwap.py': { found: ['missing-warm-up', 'wall-clock-time'] },
  'mean_reversion_rsi2_modern.py': { found: [] },
  'mean_reversion_zscore_window.py': { found: ['rolling-window-misuse'] },
  'momentum_12_1_universe_mixed.py': { found: ['enum-casing', 'history-in-on-data', 'pascal-case-api'], left: ['history-in-on-data@29'] },
  'momentum_dual_etf_modern.py': { found: [] },
  'momentum_roc_print.py': { found: ['print-to-debug'] },
  'momentum_rsi_fenced.py': { found: ['markdown-fence', 'python-syntax'] },
  'momentum_schedule_legacy.py': { found: ['enum-casing', 'pascal-case-api'] },
  'momentum_sma_crossover_legacy.py': { found: ['enum-casing', 'missing-warm-up', 'pascal-case-api'] },
  'pairs_cointegration_history.py': { found: ['enum-casing', 'history-in-on-data', 'pascal-case-api'], left: ['history-in-on-data@19'] },
  'pairs_kalman_custom_indicator.py': { found: ['indicator-base-float'] },
  'pairs_ratio_zscore_modern.py': { found: [] },
  'structure_missing_security.py': {
    found: ['structure-initialize', 'structure-security', 'structure-start-date', 'pascal-case-api'],
    left: ['structure-initialize@4', 'structure-start-date@4', 'structure-security@4'],
  },
  'structure_two_algorithms.py': { found: ['structure-algorithm-class'], left: ['structure-algorithm-class@15'] },
  'trend_adx_filter_dates.py': { found: ['date-arguments', 'python-syntax'] },
  'trend_donchian_modern.py': { found: [] },
  'trend_ema_ribbon_no_import.py': { found: ['missing-algorithm-imports'] },
  'trend_macd_legacy.py': { found: ['api-shadowing', 'enum-as-string', 'enum-casing', 'missing-warm-up', 'pascal-case-api'] },
  'user_names_untouched.py': { found: [] },
  'volatility_atr_breakout_legacy.py': { found: ['enum-casing', 'missing-warm-up', 'pascal-case-api', 'reserved-attribute'] },
  'volatility_bb_squeeze_csharp.py': {
    found: ['csharp-collection-methods', 'history-in-on-data'],
    left: ['history-in-on-data@21', 'csharp-collection-methods@22', 'csharp-collection-methods@23', 'csharp-collection-methods@23', 'csharp-collection-methods@24'],
  },
  'volatility_targeting_alpha.py': { found: ['reserved-attribute'] },
  'volatility_vix_regime_modern.py': { found: [] },
};

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.py')).sort();
const reports = new Map<string, { before: PythonLintReport; after: PythonLintReport; again: PythonLintReport }>();

beforeAll(async () => {
  for (const file of files) {
    const code = fs.readFileSync(path.join(DIR, file), 'utf8');
    const before = await lintPython(code, { fix: false });
    const after = await lintPython(code, { fix: true });
    const again = await lintPython(after.code, { fix: true });
    reports.set(file, { before, after, again });
  }
});

afterAll(() => closePythonHelpers());

describe('the corpus of LLM-written algorithms', () => {
  it('has at least 30 algorithms, each with expectations', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
  });

  it.each(files)('%s: the linter finds the expected problems', (file) => {
    const { before } = reports.get(file)!;
    expect([...new Set(before.issues.map((i) => i.rule))].sort()).toEqual([...EXPECTED[file]!.found].sort());
  });

  it.each(files)('%s: after fixing, the code parses with CPython and no fixable error is left', async (file) => {
    const { after } = reports.get(file)!;
    expect(await checkPythonSyntax(after.code, { prefer: 'cpython' })).toEqual({ ok: true, parser: 'cpython' });
    const left = after.issues.filter((i) => !i.fixed);
    expect(left.map((i) => `${i.rule}@${i.line}`)).toEqual(EXPECTED[file]!.left ?? []);
    expect(left.filter((i) => i.severity === 'error' && LINT_RULES_BY_ID.get(i.rule)?.fix)).toEqual([]);
    expect(after.errors).toBe(left.filter((i) => i.severity === 'error').length);
  });

  it.each(files)('%s: linting the fixed code again changes nothing', (file) => {
    const { after, again } = reports.get(file)!;
    expect(again.code).toBe(after.code);
    expect(again.fixed).toBe(false);
    expect(again.issues.filter((i) => i.fixed || i.fixable)).toEqual([]);
  });

  it('leaves clean modern algorithms byte for byte as they were', () => {
    const clean = files.filter((f) => EXPECTED[f]!.found.length === 0);
    expect(clean.length).toBeGreaterThanOrEqual(8);
    for (const file of clean) {
      expect(reports.get(file)!.after.code).toBe(fs.readFileSync(path.join(DIR, file), 'utf8'));
    }
  });

  it('rewrites legacy PascalCase algorithms into the snake_case API', () => {
    const fixed = reports.get('momentum_sma_crossover_legacy.py')!.after.code;
    expect(fixed).toContain('def initialize(self):');
    expect(fixed).toContain('self.set_warm_up(200, Resolution.DAILY)');
    expect(fixed).toContain('if not (self.fast.is_ready and self.slow.is_ready):');
    expect(fixed).toContain('holdings = self.portfolio[self.symbol].quantity');
    expect(fixed).toContain('self.debug(f"Golden cross at {self.time}: buying")');
    expect(fixed).not.toMatch(/\.(SetHoldings|IsReady|Current|Portfolio|Debug)\b/);
  });

  it('strips the chat around a fenced answer', () => {
    const fixed = reports.get('momentum_rsi_fenced.py')!.after.code;
    expect(fixed.startsWith('from AlgorithmImports import *\n')).toBe(true);
    expect(fixed).not.toContain('```');
    expect(fixed).not.toContain('The algorithm buys QQQ');
  });

  it('keeps user-defined names, strings and custom data members', () => {
    const source = fs.readFileSync(path.join(DIR, 'user_names_untouched.py'), 'utf8');
    const fixed = reports.get('user_names_untouched.py')!.after.code;
    expect(fixed).toBe(source);
    expect(fixed).toContain('index.Value = float(parts[1])');
    expect(fixed).toContain('self.Price = Price');
  });
});
