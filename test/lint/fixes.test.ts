import { applyLintFixes as applyWith, FIX_REJECTED_RULE, LINT_RULES, lintCode as lintWith, type LintRule, type PythonParser } from '../../domain/lint';
import { checkPythonSyntax, closePythonHelpers } from '../../python';
import { loadPythonParser } from '../../python/tree-sitter';
import { algo, py } from './helpers';

const cpythonParses = async (code: string) => (await checkPythonSyntax(code)).ok;

let parser: PythonParser;
const lintCode = (code: string) => lintWith(code, parser);
const applyLintFixes = (code: string, parses: (c: string) => Promise<boolean>, rules?: readonly LintRule[]) => applyWith(code, parser, parses, rules);

beforeAll(async () => {
  parser = await loadPythonParser();
});

afterAll(() => closePythonHelpers());

describe('applying lint fixes', () => {
  it('renames a legacy indicator attribute to snake_case, then out of the way of the method it shadows', async () => {
    const code = algo('self.SMA = self.SMA(self.spy, 20)\nself.SetWarmUp(20)', 'def on_data(self, data):\n    if self.SMA.IsReady:\n        self.SetHoldings(self.spy, 1)');
    const result = await applyLintFixes(code, cpythonParses);
    expect(result.code).toBe(
      algo('self.sma_indicator = self.sma(self.spy, 20)\nself.set_warm_up(20)', 'def on_data(self, data):\n    if self.sma_indicator.is_ready:\n        self.set_holdings(self.spy, 1)'),
    );
    expect(result.fixed).toBe(true);
    const fixedRules = new Set(result.issues.filter((i) => i.fixed).map((i) => i.rule));
    expect(fixedRules).toEqual(new Set(['pascal-case-api', 'api-shadowing']));
    expect(result.issues.filter((i) => !i.fixed)).toEqual([]);
  });

  it('reverts a fix that would break the syntax and reports it as a warning', async () => {
    const breaks: LintRule = {
      id: 'breaks-things',
      severity: 'error',
      message: 'always wrong',
      check: () => [{ line: 1 }],
      fix: (src) => src.code + 'def (\n',
    };
    const code = algo();
    const result = await applyLintFixes(code, cpythonParses, [...LINT_RULES, breaks]);
    expect(result.code).toBe(code);
    expect(result.fixed).toBe(false);
    expect(result.issues).toEqual([
      { rule: FIX_REJECTED_RULE, line: 1, message: 'the fix for breaks-things was not applied: the code would no longer parse', severity: 'warning', fixable: false, fixed: false },
      { rule: 'breaks-things', line: 1, message: 'always wrong', severity: 'error', fixable: false, fixed: false },
    ]);
  });

  it('keeps the other fixes when the syntax check refuses one of them', async () => {
    const code = algo('self.q = self.AddEquity("QQQ", Resolution.Daily).Symbol');
    const refusesSnakeCase = async (c: string) => !c.includes('add_equity("QQQ"');
    const result = await applyLintFixes(code, refusesSnakeCase);
    expect(result.code).toBe(algo('self.q = self.AddEquity("QQQ", Resolution.DAILY).Symbol'));
    expect(result.issues.find((i) => i.rule === FIX_REJECTED_RULE)?.message).toContain('pascal-case-api');
    expect(result.issues.filter((i) => i.rule === 'enum-casing').map((i) => i.fixed)).toEqual([true]);
    expect(result.issues.filter((i) => i.rule === 'pascal-case-api').map((i) => [i.fixed, i.fixable])).toEqual([[false, false]]);
  });

  it('on code that does not parse, applies only the fixes that repair syntax', async () => {
    const body = py`
      class Demo(QCAlgorithm):
          def Initialize(self):
              self.SetStartDate(2020, 01, 01)
              self.SetCash(100000)
              self.AddEquity("SPY")
    `;
    // fences and a leading-zero date: neither fix alone makes this parse, both together do
    const repairable = await applyLintFixes('```python\nfrom AlgorithmImports import *\n' + body + '```\n', cpythonParses);
    expect(repairable.code).toBe('from AlgorithmImports import *\n' + body.replace('SetStartDate(2020, 01, 01)', 'set_start_date(2020, 1, 1)').replace('def Initialize', 'def initialize').replace('SetCash', 'set_cash').replace('AddEquity', 'add_equity'));
    expect(await cpythonParses(repairable.code)).toBe(true);

    // a genuine syntax error: the date and fence are repaired, nothing else is touched
    const broken = '```python\nfrom AlgorithmImports import *\n' + body.replace('self.SetCash(100000)', 'if True self.SetCash(100000)') + '```\n';
    const result = await applyLintFixes(broken, cpythonParses);
    expect(result.code).toContain('self.SetStartDate(2020, 1, 1)');
    expect(result.code).toContain('def Initialize(self)');
    expect(result.code.startsWith('from AlgorithmImports import *\n')).toBe(true);
    expect(result.issues.some((i) => i.rule === FIX_REJECTED_RULE)).toBe(false);
    expect(result.issues.filter((i) => i.fixed).map((i) => i.rule).sort()).toEqual(['date-arguments', 'markdown-fence', 'markdown-fence']);
  });

  it('keeps Windows line endings in the lines it inserts', async () => {
    const code = algo('self.fast = self.ema(self.spy, 20)').replace('from AlgorithmImports import *\n', '').replace(/\n/g, '\r\n');
    const result = await applyLintFixes(code, cpythonParses);
    const expected = algo('self.fast = self.ema(self.spy, 20)').replace(
      '        self.set_cash(100000)\n',
      '        self.set_cash(100000)\n        self.set_warm_up(20, Resolution.DAILY)\n',
    );
    expect(result.code).toBe(expected.replace(/\n/g, '\r\n'));
  });

  it('is idempotent: fixing fixed code changes nothing and finds nothing fixable', async () => {
    const code = algo(
      'self.bb = self.BB(self.spy, 20, 2)\nself.window = RollingWindow[float](5)\nself.alpha = 0.1',
      'def OnData(self, data):\n    print(len(self.window), datetime.now())\n    if data[self.spy].Close > self.bb.UpperBand.Current.Value:\n        self.Liquidate()',
    );
    const first = await applyLintFixes(code, cpythonParses);
    expect(first.fixed).toBe(true);
    const second = await applyLintFixes(first.code, cpythonParses);
    expect(second.code).toBe(first.code);
    expect(second.fixed).toBe(false);
    expect(second.issues.filter((i) => i.fixed || i.fixable)).toEqual([]);
    expect(lintCode(first.code)).toEqual([]);
  });
});
