import { checkAlgorithm } from '../../activities/code-gate';
import { closePythonHelpers } from '../../python';
import { checkFaithfulness, readCodeFacts } from '../../python/faithfulness';
import { renderReportHtml, type ReportInput } from '../../cli/evolution-view';
import { driftLines, faithfulnessLine, faithfulnessProblemMessage, generatedFrom, ruleIdsInComment } from '../../domain/faithfulness';
import { generatePrompt } from '../../domain/prompts';
import type { StrategySpec } from '../../domain/strategy';

const spec: StrategySpec = {
  title: 'Pairs Trading with Cointegration',
  family: 'pairs',
  overview: 'Trade the spread of two cointegrated ETFs.',
  mathematicalModel: 's = log(A) - b log(B)',
  signals: ['z-score of the spread'],
  entryRules: ['Short the spread when the z-score exceeds 2.0', 'Buy the spread when the z-score falls below -2.0'],
  exitRules: ['Close when the s-score reverts to within 0.5'],
  riskManagement: ['Stop out when the z-score reaches 4.0'],
  universe: { assets: ['KO', 'PEP'], description: 'Two consumer-staples stocks' },
  execution: { resolution: 'daily', rebalance: 'daily' },
  parameters: [
    { name: 'lookback', value: 3, description: 'formation window in months', derived: { value: 63, how: '3 months x 21 trading days' } },
    { name: 'entry_z', value: 2, description: 'entry threshold' },
    { name: 'exit_z', value: 0.5, description: 'exit threshold' },
    { name: 'stop_z', value: 4, description: 'stop threshold' },
  ],
};

const faithful = `from AlgorithmImports import *


class PairsAlgorithm(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2015, 1, 1)
        self.set_cash(100000)
        self.lookback = 3 * 21
        self.entry_z = 2.0
        self.exit_z = 0.5
        self.stop_z = +4
        self.max_hold = int(self.get_parameter("max_hold", 20))
        self.first = self.add_equity("KO", Resolution.DAILY).symbol
        self.second = self.add_equity("PEP", Resolution.DAILY).symbol

    def on_data(self, data):
        z = self.z_score()
        # rule: entry[1], entry[2]
        if abs(z) > self.entry_z:
            self.set_holdings(self.first, -0.5 if z > 0 else 0.5)
        elif abs(z) < self.exit_z or abs(z) > self.stop_z:  # rule: exit[1] risk[1]
            self.liquidate()

    def z_score(self):
        return 0.0
`;

const unfaithful = faithful
  .replace('self.entry_z = 2.0', 'self.entry_z = 1.5')
  .replace('        self.stop_z = +4\n', '')
  .replace('  # rule: exit[1] risk[1]', '  # rule: risk[1]')
  // a value that only looks like the parameter: a string, and an assignment outside initialize
  .replace('    def z_score(self):\n', '    def z_score(self):\n        self.stop_z = 4\n        label = "# rule: exit[1]"\n');

afterAll(() => closePythonHelpers());

describe('the faithfulness gate on hand-written algorithms', () => {
  for (const prefer of ['cpython', 'tree-sitter'] as const) {
    it(`finds every parameter assignment in initialize and every marker comment (${prefer})`, async () => {
      const facts = await readCodeFacts(faithful, { prefer });
      expect(facts).toMatchObject({ ok: true, parser: prefer, initializeFound: true });
      if (!facts.ok) throw new Error(facts.message);
      const byName = Object.fromEntries(facts.assignments.map((a) => [a.name, a.value]));
      expect(byName).toMatchObject({ lookback: 63, entry_z: 2, exit_z: 0.5, stop_z: 4, max_hold: 20, first: null });
      expect(facts.comments.map((c) => c.text)).toEqual(['# rule: entry[1], entry[2]', '# rule: exit[1] risk[1]']);
    });

    it(`reports a changed value, a missing parameter and a missing rule, and nothing else (${prefer})`, async () => {
      const facts = await readCodeFacts(unfaithful, { prefer });
      if (!facts.ok) throw new Error(facts.message);
      // the string containing a marker is not a comment; the assignment in z_score is not in initialize
      expect(facts.comments.map((c) => c.text)).toEqual(['# rule: entry[1], entry[2]', '# rule: risk[1]']);
      expect(facts.assignments.some((a) => a.name === 'stop_z')).toBe(false);
    });
  }

  it('accepts a faithful algorithm, derived values included', async () => {
    const report = await checkFaithfulness(faithful, spec);
    expect(report).toEqual({ parameters: { total: 4, matched: 4, changed: 0, missing: 0 }, rules: { total: 4, implemented: 4, missing: 0 }, findings: [] });
    expect(faithfulnessLine(report)).toBe('parameters 4/4, rules 4/4 — faithful to the specification');
  });

  it('names each unfaithful item with what the specification says and what the code has', async () => {
    const report = await checkFaithfulness(unfaithful, spec);
    expect(report.parameters).toEqual({ total: 4, matched: 2, changed: 1, missing: 1 });
    expect(report.rules).toEqual({ total: 4, implemented: 3, missing: 1 });
    expect(report.findings).toEqual([
      { item: 'parameter entry_z', kind: 'parameter', status: 'changed', spec: '2', code: 'self.entry_z = 1.5' },
      { item: 'parameter stop_z', kind: 'parameter', status: 'missing', spec: '4', code: null },
      { item: 'exit[1]', kind: 'rule', status: 'missing', spec: 'Close when the s-score reverts to within 0.5', code: null },
    ]);
    const message = faithfulnessProblemMessage(report, spec);
    expect(message).toContain('`entry_z` = 2 in the specification; the code has `self.entry_z = 1.5` instead. Write `self.entry_z = 2` in initialize');
    expect(message).toContain('`stop_z` = 4 in the specification; the code never sets self.stop_z in initialize');
    expect(message).toContain('`exit[1]` is not implemented: the specification says "Close when the s-score reverts to within 0.5"');
    expect(faithfulnessLine(report)).toBe(
      "parameters 2/4, rules 3/4 — missing: parameter stop_z (spec 4); exit[1] 'Close when the s-score reverts to within 0.5' — changed: parameter entry_z (spec 2, code self.entry_z = 1.5)",
    );
  });

  it('reads a derived parameter written either way, and flags a value that is neither', async () => {
    const paperUnit = await checkFaithfulness(faithful.replace('self.lookback = 3 * 21', 'self.lookback = 3'), spec);
    expect(paperUnit.findings).toEqual([]);
    const wrong = await checkFaithfulness(faithful.replace('self.lookback = 3 * 21', 'self.lookback = 60'), spec);
    expect(wrong.findings).toEqual([{ item: 'parameter lookback', kind: 'parameter', status: 'changed', spec: '63 (3 in the paper; 3 months x 21 trading days)', code: 'self.lookback = 60' }]);
  });

  it('counts a parameter computed from something other than numbers as changed, showing the expression', async () => {
    const report = await checkFaithfulness(faithful.replace('self.exit_z = 0.5', 'self.exit_z = self.entry_z / 4'), spec);
    expect(report.findings).toEqual([{ item: 'parameter exit_z', kind: 'parameter', status: 'changed', spec: '0.5', code: 'self.exit_z = self.entry_z / 4' }]);
  });

  it('reads marker comments in their documented forms only', () => {
    expect(ruleIdsInComment('# rule: exit[1] risk[2]')).toEqual(['exit[1]', 'risk[2]']);
    expect(ruleIdsInComment('#Rule:Entry[ 3 ]')).toEqual(['entry[3]']);
    expect(ruleIdsInComment('# implements exit[1]')).toEqual([]);
    expect(ruleIdsInComment('# rule: stop[1]')).toEqual([]);
  });

  it('runs after the quality gate: a faithfulness problem is raised only for code that lints clean', async () => {
    const gated = await checkAlgorithm({ code: unfaithful, spec });
    expect(gated.problem?.kind).toBe('faithfulness');
    expect(gated.faithfulness?.findings).toHaveLength(3);
    const broken = await checkAlgorithm({ code: unfaithful.replace('def on_data(self, data):', 'def on_data(self, data)'), spec });
    expect(broken.problem?.kind).toBe('syntax');
    expect(broken.faithfulness).toBeNull();
    const withoutSpec = await checkAlgorithm({ code: unfaithful });
    expect(withoutSpec.problem).toBeNull();
  });

  it('states the contract in the generate prompt: each parameter with its value and each rule with its id', () => {
    const prompt = generatePrompt({ spec }).user;
    expect(prompt).toContain('self.lookback = 63  (3 in the paper; 3 months x 21 trading days)');
    expect(prompt).toContain('self.exit_z = 0.5');
    expect(prompt).toContain('entry[2]: "Buy the spread when the z-score falls below -2.0"');
    expect(prompt).toContain('risk[1]: "Stop out when the z-score reaches 4.0"');
  });

  it("shows an evolved program's drift from the paper in the evolution report, escaped", async () => {
    const report = await checkFaithfulness(unfaithful, spec);
    const lines = driftLines(report);
    expect(lines).toEqual([
      "rules kept: 3/4 — no longer marked: exit[1] 'Close when the s-score reverts to within 0.5'",
      "parameters at the paper's values: 2/4",
      '  entry_z: paper 2, now self.entry_z = 1.5',
      '  stop_z: paper 4, no longer set in initialize',
    ]);
    const snapshot = {
      id: 'evolve-pairs', status: 'completed', generation: 0, bestFitness: null, backtestsUsed: 0, tokensUsed: 0, tokens: { input: 0, output: 0 }, inFlight: [],
      best: null, budget: {}, stopRequested: false, stopReason: null, history: [], execution: 'COMPLETED', startTime: '', closeTime: null, error: null,
    } as unknown as ReportInput['snapshot'];
    const html = renderReportHtml({ snapshot, best: null, variants: [], generatedAt: new Date(0), drift: { title: 'Pairs <Trading>', pipelineRunId: 'pipeline-pairs-1234567', lines } });
    expect(html).toContain('<h2>Drift from the paper — Pairs &lt;Trading&gt;</h2>');
    expect(html).toContain('  entry_z: paper 2, now self.entry_z = 1.5');
    expect(renderReportHtml({ snapshot, best: null, variants: [], generatedAt: new Date(0) })).not.toContain('Drift from the paper');
  });

  it('finds the paper and pipeline run a generated algorithm came from in the header QuantCoder writes', () => {
    expect(generatedFrom('# Generated by QuantCoder from: Pairs Trading\n# DOI: 10.1/x\n# Run: pipeline-pairs-1234567\n\nfrom AlgorithmImports import *\n')).toEqual({ runId: 'pipeline-pairs-1234567', title: 'Pairs Trading' });
    expect(generatedFrom(faithful)).toBeNull();
  });
});
