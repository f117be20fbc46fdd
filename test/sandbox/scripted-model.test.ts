import { execFileSync } from 'node:child_process';
import { lineDiff } from '../../domain/learning';
import { STRATEGY_FAMILIES } from '../../domain/strategy';
import { analyseAlgorithm, LANDSCAPES, syntheticStatistics } from '../../sandbox/landscape';
import { scriptedAnswer } from '../../sandbox/llm/answer';
import { MUTATION_KINDS, type MutationMode } from '../../sandbox/llm/edits';
import type { LlmExchange } from '../../sandbox/llm/prompt';
import { recogniseTask } from '../../sandbox/llm/prompt';
import { planParameters, renderAlgorithm } from '../../sandbox/llm/templates';
import { fenceBody, pythonParses } from './helpers';

const ask = (user: string, mistakeRate = 0, mutationMode: MutationMode = 'random') =>
  scriptedAnswer({ provider: 'openai', model: 'm', system: 'system', messages: [{ role: 'user', content: user }] } satisfies LlmExchange, { mistakeRate, mutationMode });

const generate = (family: string, title = `Breadth ${family}`) =>
  `QuantCoder task: generate\n\nSpecification:\n\`\`\`json\n${JSON.stringify({ title, family, parameters: [] })}\n\`\`\``;
const repair = (code: string, error: string) => `QuantCoder task: repair\n\nCode:\n\`\`\`python\n${code}\n\`\`\`\n\nError:\n\`\`\`text\n${error}\n\`\`\``;

/** CPython's own message for code that does not parse (computed here, not by the sandbox). */
function cpythonError(code: string): string | null {
  const script = 'import ast, sys\ntry:\n    ast.parse(sys.stdin.read())\n    print("")\nexcept SyntaxError as e:\n    print(e.msg)';
  return execFileSync('python3', ['-c', script], { input: code }).toString().trim() || null;
}

/** A generate answer at mistake rate 1 that slipped the given way, its code and the clean code. */
async function slipped(kind: 'syntax_error' | 'pascal_case'): Promise<{ family: string; code: string; clean: string; user: string }> {
  for (const family of STRATEGY_FAMILIES) {
    for (let i = 0; i < 6; i++) {
      const user = generate(family, `Slip ${family} ${i}`);
      const answer = await ask(user, 1);
      if (answer.mistake !== kind) continue;
      const clean = fenceBody((await ask(user, 0)).text);
      return { family, code: fenceBody(answer.text), clean, user };
    }
  }
  throw new Error(`no ${kind} slip found`);
}

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

  it('writes parseable code for every family, and every mutation of it parses too', async () => {
    const programs: string[] = [];
    for (const family of STRATEGY_FAMILIES) {
      const code = fenceBody((await ask(`QuantCoder task: generate\n\nSpecification:\n\`\`\`json\n${JSON.stringify({ title: `Breadth ${family}`, family, parameters: [] })}\n\`\`\``)).text);
      expect(code).toBe(codeOf(family).trimEnd());
      expect(analyseAlgorithm(code).family).toBe(family);
      programs.push(code);
      for (const kind of MUTATION_KINDS) {
        for (const variant of [1, 2]) {
          const prompt = (format: string) => `QuantCoder task: mutate\nMutation: ${kind}\nEdit format: ${format}\nVariant: ${variant}\n\nCode:\n\`\`\`python\n${code}\n\`\`\``;
          const blocks = (await ask(prompt('search-replace'))).text;
          const mutated = applyBlocks(code, blocks);
          expect(mutated).not.toBe(code);
          programs.push(mutated, fenceBody((await ask(prompt('full'))).text));
        }
      }
    }
    const verdicts = pythonParses(programs);
    expect(verdicts.filter((ok) => !ok)).toHaveLength(0);
  });

  it('writes the backtest period the generate prompt asks for', async () => {
    const code = fenceBody(
      (await ask(`QuantCoder task: generate\nBacktest period: set_start_date 2010-03-01, set_end_date 2019-06-30.\n\nSpecification:\n\`\`\`json\n{"title":"P","family":"trend","parameters":[{"name":"fast_period","value":30,"description":"d"}]}\n\`\`\``)).text,
    );
    expect(code).toContain('self.set_start_date(2010, 3, 1)');
    expect(code).toContain('self.set_end_date(2019, 6, 30)');
    expect(code).toContain('self.fast_period = 30');
    expect(analyseAlgorithm(code)).toMatchObject({ startDate: '2010-03-01 00:00:00', endDate: '2019-06-30 00:00:00' });
  });

  it('biased-toward-optimum mutations let a greedy search climb', async () => {
    for (const family of ['momentum', 'pairs', 'trend'] as const) {
      let best = codeOf(family);
      const start = Number(syntheticStatistics(best).statistics['Sharpe Ratio']);
      let bestSharpe = start;
      for (let generation = 0; generation < 8; generation++) {
        for (let child = 0; child < 4; child++) {
          const text = (await ask(`QuantCoder task: mutate\nMutation: parameter_tune\nEdit format: search-replace\nVariant: ${generation}-${child}\n\nCode:\n\`\`\`python\n${best}\n\`\`\``, 0, 'biased-toward-optimum')).text;
          const candidate = applyBlocks(best, text);
          const sharpe = Number(syntheticStatistics(candidate).statistics['Sharpe Ratio']);
          if (sharpe > bestSharpe) [best, bestSharpe] = [candidate, sharpe];
        }
      }
      expect(bestSharpe).toBeGreaterThan(start + 0.2);
    }
  });

  it('mutates parameters in a random direction by default: about as many steps away from the optimum as toward it', async () => {
    const counts = { random: { toward: 0, away: 0 }, 'biased-toward-optimum': { toward: 0, away: 0 } };
    for (const mode of ['random', 'biased-toward-optimum'] as const) {
      for (const family of ['momentum', 'trend', 'mean_reversion'] as const) {
        const code = codeOf(family);
        for (let v = 0; v < 40; v++) {
          const text = (await ask(`QuantCoder task: mutate\nMutation: parameter_tune\nEdit format: search-replace\nVariant: ${v}\n\nCode:\n\`\`\`python\n${code}\n\`\`\``, 0, mode)).text;
          for (const [, search, replace] of text.matchAll(/<<<<<<< SEARCH\n([\s\S]*?)\n=======\n([\s\S]*?)\n>>>>>>> REPLACE/g)) {
            const before = /self\.(\w+) = ([\d.]+)/.exec(search!);
            const after = /self\.(\w+) = ([\d.]+)/.exec(replace!);
            const spec = before && LANDSCAPES[family].params.find((p) => p.name === before[1]);
            if (!before || !after || !spec) continue;
            const distance = (x: number) => Math.abs(spec.scale === 'log' ? Math.log(x / spec.optimum) : x - spec.optimum);
            counts[mode][distance(Number(after[2])) < distance(Number(before[2])) ? 'toward' : 'away']++;
          }
        }
      }
    }
    const share = (c: { toward: number; away: number }) => c.toward / (c.toward + c.away);
    expect(counts.random.toward + counts.random.away).toBeGreaterThan(60);
    expect(share(counts.random)).toBeGreaterThan(0.3);
    expect(share(counts.random)).toBeLessThan(0.7);
    expect(share(counts['biased-toward-optimum'])).toBeGreaterThan(share(counts.random) + 0.15);
  });

  it('repairs a syntax error only when the prompt carries CPython\'s message for it', async () => {
    const { code, clean } = await slipped('syntax_error');
    const message = cpythonError(code);
    expect(message).not.toBeNull();
    const told = fenceBody((await ask(repair(code, `SyntaxError: ${message}`))).text);
    expect(cpythonError(told)).toBeNull();
    expect(told.trimEnd()).toBe(clean.trimEnd());
    // a made-up or generic message leaves the code as it was
    for (const error of ['SyntaxError: invalid syntax', 'The build failed, please fix the code', 'Build Error']) {
      expect(cpythonError(fenceBody((await ask(repair(code, error))).text))).toBe(message);
    }
  });

  it('repairs the PascalCase API only when the prompt carries LEAN\'s runtime error for it', async () => {
    const { code, clean } = await slipped('pascal_case');
    expect(code).toMatch(/def Initialize|self\.Set/);
    const untold = fenceBody((await ask(repair(code, 'runtime error: the backtest failed'))).text);
    expect(untold).toMatch(/def Initialize|self\.Set/);
    const cls = /class (\w+)/.exec(code)![1]!;
    const lean = `During the algorithm initialization, the following exception has occurred: NotImplementedError : '${cls}' must define initialize(self); the PascalCase Initialize() is not called by the snake_case API`;
    const told = fenceBody((await ask(repair(code, lean))).text);
    expect(told).not.toMatch(/def Initialize|self\.Set/);
    expect(told.replace(/\s+/g, '')).toBe(clean.replace(/\s+/g, ''));
  });

  it('a learned diff in the generate prompt undoes the slip only when it applies to the code and removes it', async () => {
    const { code, clean, user } = await slipped('syntax_error');
    const withDiff = (diff: string) => `${user}\n\nFixes that worked before:\n- syntax: a signature\n${diff.split('\n').map((l) => `    ${l}`).join('\n')}`;
    // the diff of this very slip: the model writes the clean code
    const own = await ask(withDiff(lineDiff(code, clean)), 1);
    expect(own.mistake).toBeNull();
    expect(fenceBody(own.text).trimEnd()).toBe(clean.trimEnd());
    // a fix learned for another error (the PascalCase slip of another program) changes nothing
    const other = await slipped('pascal_case');
    const unrelated = await ask(withDiff(lineDiff(other.code, other.clean)), 1);
    expect(fenceBody(unrelated.text)).toBe(code);
    expect(unrelated.mistake).toBe('syntax_error');
    // the right fix, written so it does not apply (its removed line is not in the code), changes nothing
    const mangled = lineDiff(code, clean).replace(/^- (.*)$/m, (_, l: string) => `- ${l}  # edited`);
    const notApplied = await ask(withDiff(mangled), 1);
    expect(fenceBody(notApplied.text)).toBe(code);
    expect(notApplied.mistake).toBe('syntax_error');
  });

  it('makes every kind of mistake at rate 1; the same draft always slips the same way', async () => {
    const kinds = new Set<string>();
    for (const family of STRATEGY_FAMILIES) {
      for (let v = 0; v < 3; v++) {
        const user = generate(family, `Kinds ${family} ${v}`);
        const first = await ask(user, 1);
        expect(first.mistake).not.toBeNull();
        kinds.add(first.mistake!);
        // the prompt around the same specification does not reshuffle the slip
        expect((await ask(`${user}\n\nSome context that changes nothing.`, 1)).text).toBe(first.text);
      }
    }
    expect([...kinds].sort()).toEqual(['pascal_case', 'prose', 'syntax_error']);
  });

  it('summarize mistakes break the JSON or the schema, never silently', async () => {
    const seen = new Set<string>();
    for (let v = 0; v < 12; v++) {
      const answer = await ask(`QuantCoder task: summarize\nVariant: ${v}\n\nPaper:\n\`\`\`text\nMomentum\nA paper.\n\`\`\``, 1);
      seen.add(answer.mistake!);
      const body = fenceBody(answer.text);
      if (answer.mistake === 'syntax_error') expect(() => JSON.parse(body)).toThrow();
      if (answer.mistake === 'pascal_case') expect(JSON.parse(body).exitRules).toBeUndefined();
      if (answer.mistake === 'prose') expect(answer.text.startsWith('Here is')).toBe(true);
    }
    expect(seen.size).toBe(3);
  });
});
