import { closePythonHelpers } from '../../python';
import { lintPython, PYTHON_SYNTAX_RULE } from '../../python/lint';
import { algo } from './helpers';

afterAll(() => closePythonHelpers());

const LEGACY = algo('self.AddEquity("EURUSD", Resolution.Daily)\nself.sma = self.sma(self.spy, 20)\nself.set_warm_up(20)');

describe('linting a Python algorithm file', () => {
  it('reports without changing the code when not asked to fix', async () => {
    const report = await lintPython(LEGACY, { fix: false });
    expect(report.code).toBe(LEGACY);
    expect(report.fixed).toBe(false);
    expect(report.issues.map((i) => `${i.rule}:${i.line}:${i.severity}:${i.fixed}`)).toEqual([
      'pascal-case-api:9:warning:false',
      'enum-casing:9:warning:false',
      'forex-as-equity:9:error:false',
      'api-shadowing:10:error:false',
    ]);
    expect(report.errors).toBe(2);
  });

  it('fixes what it can and counts only the errors left', async () => {
    const report = await lintPython(LEGACY, { fix: true });
    expect(report.code).toBe(algo('self.add_forex("EURUSD", Resolution.DAILY)\nself.sma_indicator = self.sma(self.spy, 20)\nself.set_warm_up(20)'));
    expect(report.fixed).toBe(true);
    expect(report.errors).toBe(0);
    expect(report.issues.every((i) => i.fixed)).toBe(true);
    // the shape a `--json` command prints
    expect(Object.keys(JSON.parse(JSON.stringify(report))).sort()).toEqual(['code', 'errors', 'fixed', 'issues']);
    expect(Object.keys(report.issues[0]!).sort()).toEqual(['fixable', 'fixed', 'line', 'message', 'rule', 'severity']);
  });

  it('reports a syntax error with its position, and the structural errors fixing cannot solve', async () => {
    const broken = 'from AlgorithmImports import *\n\nclass Demo(QCAlgorithm):\n    def initialize(self):\n        self.set_cash(100000\n';
    const report = await lintPython(broken, { fix: true });
    expect(report.code).toBe(broken);
    expect(report.issues.map((i) => i.rule)).toEqual(['structure-start-date', 'structure-security', PYTHON_SYNTAX_RULE]);
    const syntax = report.issues.at(-1)!;
    expect(syntax).toMatchObject({ line: 5, severity: 'error', fixed: false });
    expect(syntax.message).toContain("'(' was never closed (line 5, column 22");
    expect(report.errors).toBe(3);
  });
});
