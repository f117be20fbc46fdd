import { STRATEGY_FAMILIES } from '../../domain/strategy';
import { analyseAlgorithm, syntheticStatistics } from '../../sandbox/landscape';
import { scriptedAnswer } from '../../sandbox/llm/answer';
import { MUTATION_KINDS } from '../../sandbox/llm/edits';
import type { LlmExchange } from '../../sandbox/llm/prompt';
import { recogniseTask } from '../../sandbox/llm/prompt';
import { planParameters, renderAlgorithm } from '../../sandbox/llm/templates';
import { fenceBody, pythonParses } from './helpers';

const ask = (user: string, mistakeRate = 0) =>
  scriptedAnswer({ provider: 'openai', model: 'm', system: 'system', messages: [{ role: 'user', content: user }] } satisfies LlmExchange, mistakeRate);

const codeOf = (family: (typeof STRATEGY_FAMILIES)[number]) =>
  renderAlgorithm({ family, title: `Breadth ${family}`, parameters: planParameters(family, {}), extraParameters: [], tickers: [], resolution: 'daily' });

function applyBlocks(code: string, text: string): string {
  let out = code;
  for (const [, search, replace] of text.matchAll(/<<<<<<< SEARCH\n([\s\S]*?)\n=======\n([\s\S]*?)\n>>>>>>> REPLACE/g)) {
    if (out.split(search!).length !== 2) throw new Error(`SEARCH text not found exactly once:\n${search}`);
    out = out.replace(search!, () => replace!);
  }
  return out;
}

describe('the scripted model across families', () => {
  it('recognises tasks by header first, then by keywords', () => {
    expect(recogniseTask('', 'QuantCoder task: crossover\nParent A:')).toEqual({ task: 'crossover', source: 'header' });
    expect(recogniseTask('', 'QuantCoder task: summarise')).toEqual({ task: 'summarize', source: 'header' });
    expect(recogniseTask('', 'Parent A:\n```python\n```\nParent B:\n```python\n```').task).toBe('crossover');
    expect(recogniseTask('', 'Mutation: universe\nCode:').task).toBe('mutate');
    expect(recogniseTask('', 'Code:\n...\nError:\n...').task).toBe('repair');
    expect(recogniseTask('', 'Paper:\n```text\n...```').task).toBe('summarize');
    expect(recogniseTask('', 'Specification:\n```json\n{}\n```').task).toBe('generate');
    expect(recogniseTask('', 'hello there').task).toBe('unknown');
  });

  it('writes parseable code for every family, and every mutation of it parses too', () => {
    const programs: string[] = [];
    for (const family of STRATEGY_FAMILIES) {
      const code = fenceBody(ask(`QuantCoder task: generate\n\nSpecification:\n\`\`\`json\n${JSON.stringify({ title: `Breadth ${family}`, family, parameters: [] })}\n\`\`\``).text);
      expect(code).toBe(codeOf(family).trimEnd());
      expect(analyseAlgorithm(code).family).toBe(family);
      programs.push(code);
      for (const kind of MUTATION_KINDS) {
        for (const variant of [1, 2]) {
          const prompt = (format: string) => `QuantCoder task: mutate\nMutation: ${kind}\nEdit format: ${format}\nVariant: ${variant}\n\nCode:\n\`\`\`python\n${code}\n\`\`\``;
          const blocks = ask(prompt('search-replace')).text;
          const mutated = applyBlocks(code, blocks);
          expect(mutated).not.toBe(code);
          programs.push(mutated, fenceBody(ask(prompt('full')).text));
        }
      }
    }
    const verdicts = pythonParses(programs);
    expect(verdicts.filter((ok) => !ok)).toHaveLength(0);
  });

  it('writes the backtest period the generate prompt asks for', () => {
    const code = fenceBody(
      ask(`QuantCoder task: generate\nBacktest period: set_start_date 2010-03-01, set_end_date 2019-06-30.\n\nSpecification:\n\`\`\`json\n{"title":"P","family":"trend","parameters":[{"name":"fast_period","value":30,"description":"d"}]}\n\`\`\``).text,
    );
    expect(code).toContain('self.set_start_date(2010, 3, 1)');
    expect(code).toContain('self.set_end_date(2019, 6, 30)');
    expect(code).toContain('self.fast_period = 30');
    expect(analyseAlgorithm(code)).toMatchObject({ startDate: '2010-03-01 00:00:00', endDate: '2019-06-30 00:00:00' });
  });

  it('mutations toward the optimum let a greedy search climb', () => {
    for (const family of ['momentum', 'pairs', 'trend'] as const) {
      let best = codeOf(family);
      const start = Number(syntheticStatistics(best).statistics['Sharpe Ratio']);
      let bestSharpe = start;
      for (let generation = 0; generation < 8; generation++) {
        for (let child = 0; child < 4; child++) {
          const text = ask(`QuantCoder task: mutate\nMutation: parameter_tune\nEdit format: search-replace\nVariant: ${generation}-${child}\n\nCode:\n\`\`\`python\n${best}\n\`\`\``).text;
          const candidate = applyBlocks(best, text);
          const sharpe = Number(syntheticStatistics(candidate).statistics['Sharpe Ratio']);
          if (sharpe > bestSharpe) [best, bestSharpe] = [candidate, sharpe];
        }
      }
      expect(bestSharpe).toBeGreaterThan(start + 0.2);
    }
  });

  it('makes every kind of mistake at rate 1, and the scripted repair undoes each', () => {
    const broken: string[] = [];
    const kinds = new Set<string>();
    for (const family of STRATEGY_FAMILIES) {
      for (let v = 0; v < 4; v++) {
        const answer = ask(`QuantCoder task: generate\nVariant: ${v}\n\nSpecification:\n\`\`\`json\n${JSON.stringify({ title: `Breadth ${family}`, family, parameters: [] })}\n\`\`\``, 1);
        expect(answer.mistake).not.toBeNull();
        kinds.add(answer.mistake!);
        const code = /```python\n([\s\S]*?)\n```/.exec(answer.text)?.[1] ?? answer.text;
        const repaired = fenceBody(ask(`QuantCoder task: repair\n\nCode:\n\`\`\`python\n${code}\n\`\`\`\n\nError:\n\`\`\`text\nerror\n\`\`\``).text);
        expect(repaired).not.toMatch(/self\.[A-Z]|def [A-Z]|Sure!/);
        broken.push(repaired);
        if (answer.mistake === 'pascal_case') expect(repaired.replace(/\s+/g, '')).toBe(codeOf(family).replace(/\s+/g, ''));
      }
    }
    expect([...kinds].sort()).toEqual(['pascal_case', 'prose', 'syntax_error']);
    expect(pythonParses(broken).every(Boolean)).toBe(true);
  });

  it('summarize mistakes break the JSON or the schema, never silently', () => {
    const seen = new Set<string>();
    for (let v = 0; v < 12; v++) {
      const answer = ask(`QuantCoder task: summarize\nVariant: ${v}\n\nPaper:\n\`\`\`text\nMomentum\nA paper.\n\`\`\``, 1);
      seen.add(answer.mistake!);
      const body = fenceBody(answer.text);
      if (answer.mistake === 'syntax_error') expect(() => JSON.parse(body)).toThrow();
      if (answer.mistake === 'pascal_case') expect(JSON.parse(body).exitRules).toBeUndefined();
      if (answer.mistake === 'prose') expect(answer.text.startsWith('Here is')).toBe(true);
    }
    expect(seen.size).toBe(3);
  });
});
