import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { SANDBOX_CREDENTIALS } from '../../domain/services';
import { strategySpecSchema } from '../../domain/strategy';
import { startSandbox, type SandboxHandle } from '../../sandbox';
import { CORPUS_PAPERS } from '../../sandbox/corpus/catalogue';
import { paperPdf } from '../../sandbox/corpus/render';
import { analyseAlgorithm, syntheticStatistics } from '../../sandbox/landscape';
import { execFileSync } from 'node:child_process';
import { fenceBody, pdfText, pythonParses as pythonVerdicts } from './helpers';

/** CPython's own message for code that does not parse, or null. */
function cpythonError(code: string): string | null {
  const script = 'import ast, sys\ntry:\n    ast.parse(sys.stdin.read())\n    print("")\nexcept SyntaxError as e:\n    print(e.msg)';
  return execFileSync('python3', ['-c', script], { input: code }).toString().trim() || null;
}

/** LEAN's runtime error for an algorithm class without a snake_case initialize. */
const noInitialize = (cls: string) =>
  `During the algorithm initialization, the following exception has occurred: NotImplementedError : '${cls}' must define initialize(self); the PascalCase Initialize() is not called by the snake_case API`;

let sandbox: SandboxHandle;
let openai: OpenAI;
let anthropic: Anthropic;
const SYSTEM = 'You are QuantCoder, an expert quantitative developer.';

beforeAll(async () => {
  sandbox = await startSandbox();
  openai = new OpenAI({ baseURL: `${sandbox.url}/openai/v1`, apiKey: SANDBOX_CREDENTIALS.openaiApiKey, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: `${sandbox.url}/anthropic`, apiKey: SANDBOX_CREDENTIALS.anthropicApiKey, maxRetries: 0 });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.configure({ mistakeRate: 0 }));

async function ask(user: string, system = SYSTEM): Promise<OpenAI.Chat.ChatCompletion> {
  return openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: system }, { role: 'user', content: user }] });
}

async function answer(user: string): Promise<string> {
  return (await ask(user)).choices[0]!.message.content!;
}

function pythonParses(code: string): boolean {
  return pythonVerdicts([code])[0]!;
}

/** Applies SEARCH/REPLACE blocks the strict way: each SEARCH must occur exactly once. */
function applyBlocks(code: string, answerText: string): string {
  const blocks = [...answerText.matchAll(/<<<<<<< SEARCH\n([\s\S]*?)\n=======\n([\s\S]*?)\n>>>>>>> REPLACE/g)];
  if (blocks.length === 0) throw new Error(`no SEARCH/REPLACE blocks in: ${answerText.slice(0, 200)}`);
  let out = code;
  for (const [, search, replace] of blocks) {
    expect(out.split(search!).length - 1).toBe(1);
    out = out.replace(search!, () => replace!);
  }
  return out;
}

const momentum = CORPUS_PAPERS.find((p) => p.family === 'momentum')!;
let momentumSpec: Record<string, any>;
let momentumCode: string;

const summarizePrompt = (text: string) => `QuantCoder task: summarize\n\nSummarise the trading strategy of this paper.\n\nPaper:\n\`\`\`text\n${text}\n\`\`\``;
const generatePrompt = (spec: object) => `QuantCoder task: generate\n\nWrite the LEAN algorithm.\n\nSpecification:\n\`\`\`json\n${JSON.stringify(spec, null, 2)}\n\`\`\``;
const mutatePrompt = (code: string, kind: string, format: 'search-replace' | 'full', variant = 1) =>
  `QuantCoder task: mutate\nMutation: ${kind}\nEdit format: ${format}\nVariant: ${variant}\n\nCode:\n\`\`\`python\n${code}\n\`\`\``;

describe('OpenAI chat completions (scripted model, real openai SDK)', () => {
  it('refuses a wrong API key with OpenAI’s 401 error shape', async () => {
    const wrong = new OpenAI({ baseURL: `${sandbox.url}/openai/v1`, apiKey: 'sk-wrong-key-123456', maxRetries: 0 });
    const err = await wrong.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).type).toBe('invalid_request_error');
  });

  it('lists models and refuses streaming', async () => {
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-4o');
    await expect(openai.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('summarizes a corpus paper (as pdfjs extracts it) into a valid strategy spec from the paper’s own sentences', async () => {
    const { text } = await pdfText(paperPdf(momentum));
    const prompt = summarizePrompt(text);
    const completion = await ask(prompt);
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const content = completion.choices[0]!.message.content!;
    expect(completion.usage).toEqual(
      expect.objectContaining({ prompt_tokens: Math.ceil((SYSTEM.length + prompt.length) / 4), completion_tokens: Math.ceil(content.length / 4) }),
    );
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    momentumSpec = strategySpecSchema.parse(JSON.parse(fenceBody(content)));
    expect(momentumSpec.family).toBe('momentum');
    expect(momentumSpec.title).toBe(momentum.title);
    const params = Object.fromEntries(momentumSpec.parameters.map((p: any) => [p.name, p.value]));
    expect(params).toEqual({ lookback: 252, stop_loss: 0.1, rebalance_days: 21 });
    expect(momentumSpec.parameters[0].description).toContain('lookback window of 12 months');
    expect(momentumSpec.universe.assets).toEqual(['SPY', 'EFA', 'EEM', 'TLT', 'GLD']);
    expect(momentumSpec.riskManagement.join(' ')).toContain('stop-loss of 10%');
    expect(momentumSpec.overview.replace(/\s+/g, ' ')).toContain('We study time-series momentum');
  });

  it.each(CORPUS_PAPERS.filter((p) => p.family !== 'momentum').map((p) => [p.family, p] as const))('detects the %s family of its paper', async (family, paper) => {
    const { text } = await pdfText(paperPdf(paper));
    const spec = strategySpecSchema.parse(JSON.parse(fenceBody(await answer(summarizePrompt(text)))));
    expect(spec.family).toBe(family);
    expect(spec.parameters.every((p) => !p.description.includes('not stated'))).toBe(true);
  });

  it('answers bare JSON in JSON mode', async () => {
    const { text } = await pdfText(paperPdf(CORPUS_PAPERS.find((p) => p.family === 'trend')!));
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o',
      response_format: { type: 'json_object' },
      messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: summarizePrompt(text) }],
    });
    const spec = strategySpecSchema.parse(JSON.parse(completion.choices[0]!.message.content!));
    expect(spec.parameters.map((p) => [p.name, p.value])).toEqual([['fast_period', 50], ['slow_period', 200], ['stop_loss', 0.1]]);
    expect(completion.usage!.completion_tokens).toBe(Math.ceil(completion.choices[0]!.message.content!.length / 4));
  });

  it('generates a LEAN algorithm in the snake_case API carrying the spec’s parameters', async () => {
    const content = await answer(generatePrompt(momentumSpec));
    momentumCode = fenceBody(content);
    expect(content.startsWith('```python\n')).toBe(true);
    expect(pythonParses(momentumCode)).toBe(true);
    for (const line of ['class ', '(QCAlgorithm):', 'def initialize(self):', 'def on_data(self, data: Slice):', 'self.set_start_date(', 'self.set_cash(100000)', '.symbol', 'self.momp(', 'self.set_warm_up(', 'self.set_holdings(', 'self.liquidate(', 'Resolution.DAILY', 'is_ready']) {
      expect(momentumCode).toContain(line);
    }
    expect(momentumCode).toContain('self.lookback = 252');
    expect(momentumCode).toContain('self.stop_loss = 0.1');
    expect(momentumCode).not.toMatch(/self\.[A-Z]/);
    expect(analyseAlgorithm(momentumCode).family).toBe('momentum');
  });

  it('answers the same request with the same text', async () => {
    expect(await answer(generatePrompt(momentumSpec))).toBe(await answer(generatePrompt(momentumSpec)));
  });

  it('repairs PascalCase, a missing parenthesis, a missing colon, prose and planted failures, each once told its error', async () => {
    const broken = [
      'Here is the code:',
      '```python',
      'from AlgorithmImports import *',
      '',
      'class Broken(QCAlgorithm):',
      '    def Initialize(self):',
      '        self.SetStartDate(2015, 1, 1',
      '        self.SetCash(100000)',
      '        self.spy = self.AddEquity("SPY", Resolution.Daily).Symbol',
      '        self.avg = self.SMA(self.spy, 50, Resolution.Daily)',
      '        raise ValueError("planted")',
      '',
      '    def OnData(self, data)',
      '        if not self.avg.IsReady:',
      '            return',
      '        self.undefined_helper()',
      '        if self.Securities[self.spy].Price > self.avg.Current.Value:',
      '            self.SetHoldings(self.spy, 1.0)',
      '```',
    ].join('\n');
    const syntaxOnly = `QuantCoder task: repair\n\nCode:\n\`\`\`python\n${broken}\n\`\`\`\n\nError:\n\`\`\`text\nBuild Error: File: main.py Line: 7 Column: 26 - SyntaxError: ${cpythonError(broken.split('\n').slice(2, -1).join('\n'))}\n\`\`\``;
    // told only the syntax error: it parses afterwards, but the PascalCase API stays
    const half = fenceBody(await answer(syntaxOnly));
    expect(pythonParses(half)).toBe(true);
    expect(half).toContain('def Initialize(self):');
    const prompt = `${syntaxOnly}\n\nRuntime error:\n\`\`\`text\n${noInitialize('Broken')}\n\`\`\``;
    const fixed = fenceBody(await answer(prompt));
    expect(pythonParses(fixed)).toBe(true);
    expect(fixed).not.toMatch(/self\.[A-Z]|def [A-Z]|```|Here is/);
    expect(fixed).toContain('def initialize(self):');
    expect(fixed).toContain('def on_data(self, data):');
    expect(fixed).toContain('self.set_start_date(2015, 1, 1)');
    expect(fixed).toContain('self.add_equity("SPY", Resolution.DAILY).symbol');
    expect(fixed).toContain('self.securities[self.spy].price > self.avg.current.value');
    expect(fixed).not.toContain('raise ValueError');
    expect(fixed).not.toContain('undefined_helper');
  });

  it('mutates with SEARCH/REPLACE blocks that match the code exactly', async () => {
    const kinds = ['parameter_tune', 'indicator_change', 'entry_exit', 'risk_management', 'universe', 'timeframe', 'add_filter'];
    const mutated: string[] = [];
    for (const kind of kinds) {
      const text = await answer(mutatePrompt(momentumCode, kind, 'search-replace'));
      mutated.push(applyBlocks(momentumCode, text));
    }
    expect(mutated.filter((m) => m === momentumCode)).toHaveLength(0);
    expect(pythonVerdicts(mutated)).toEqual(kinds.map(() => true));
  });

  it('gives different variants for different Variant lines, some of them better', async () => {
    const base = Number(syntheticStatistics(momentumCode).statistics['Sharpe Ratio']);
    const variants = new Set<string>();
    const sharpes: number[] = [];
    for (let v = 1; v <= 12; v++) {
      const mutated = applyBlocks(momentumCode, await answer(mutatePrompt(momentumCode, 'parameter_tune', 'search-replace', v)));
      variants.add(mutated);
      sharpes.push(Number(syntheticStatistics(mutated).statistics['Sharpe Ratio']));
    }
    expect(variants.size).toBeGreaterThanOrEqual(5);
    expect(sharpes.some((s) => s > base)).toBe(true);
  });

  it('answers the whole file for Edit format: full, and crosses two parents over', async () => {
    const full = fenceBody(await answer(mutatePrompt(momentumCode, 'parameter_tune', 'full', 3)));
    expect(pythonParses(full)).toBe(true);
    expect(full).not.toBe(momentumCode);
    const parentB = momentumCode.replace('self.lookback = 252', 'self.lookback = 126').replace('self.stop_loss = 0.1', 'self.stop_loss = 0.08').replace('self.rebalance_days = 21', 'self.rebalance_days = 10');
    const seen = new Set<string>();
    const children: string[] = [];
    for (let v = 1; v <= 6; v++) {
      const child = fenceBody(await answer(`QuantCoder task: crossover\nVariant: ${v}\n\nParent A:\n\`\`\`python\n${momentumCode}\n\`\`\`\n\nParent B:\n\`\`\`python\n${parentB}\n\`\`\``));
      children.push(child);
      const { lookback, stop_loss } = analyseAlgorithm(child).parameters;
      expect(lookback).toBeGreaterThanOrEqual(126);
      expect(lookback).toBeLessThanOrEqual(252);
      expect(stop_loss).toBeGreaterThanOrEqual(0.08);
      expect(stop_loss).toBeLessThanOrEqual(0.1);
      seen.add(JSON.stringify(analyseAlgorithm(child).parameters));
    }
    expect(pythonVerdicts(children).every(Boolean)).toBe(true);
    expect(seen.size).toBeGreaterThan(1);
  });

  it('recognises the task from keywords when the header line is missing', async () => {
    const content = await answer(`Please fix the error.\n\nCode:\n\`\`\`python\nclass A(QCAlgorithm):\n    def Initialize(self):\n        self.SetCash(1000)\n\`\`\`\n\nError:\n\`\`\`text\n${noInitialize('A')}\n\`\`\``);
    expect(fenceBody(content)).toContain('self.set_cash(1000)');
  });

  it('carries typical mistakes at mistakeRate 1, and repairs each once told its actual error', async () => {
    sandbox.configure({ mistakeRate: 1 });
    const seen = { pascal: false, syntax: false, prose: false };
    const syntaxBroken: string[] = [];
    const repairedAll: string[] = [];
    for (let v = 1; v <= 9; v++) {
      sandbox.configure({ mistakeRate: 1 });
      // the slip is a function of the code written: a different title, a different draft
      const text = await answer(generatePrompt({ ...momentumSpec, title: `${momentumSpec.title} ${v}` }));
      const fenced = /```python\n([\s\S]*?)\n```/.exec(text);
      const code = fenced ? fenced[1]! : text;
      let error = 'The backtest did not run.';
      if (!fenced) seen.prose = true;
      else if (/self\.[A-Z]|def Initialize/.test(code)) {
        seen.pascal = true;
        error = noInitialize(/class (\w+)/.exec(code)![1]!);
      } else {
        syntaxBroken.push(code);
        seen.syntax = true;
        error = `SyntaxError: ${cpythonError(code)}`;
      }
      sandbox.configure({ mistakeRate: 0 });
      const repaired = fenceBody(await answer(`QuantCoder task: repair\n\nCode:\n\`\`\`python\n${code}\n\`\`\`\n\nError:\n\`\`\`text\n${error}\n\`\`\``));
      repairedAll.push(repaired);
      expect(repaired).not.toMatch(/self\.[A-Z]|def Initialize/);
    }
    expect(pythonVerdicts(syntaxBroken).some(Boolean)).toBe(false);
    expect(pythonVerdicts(repairedAll).every(Boolean)).toBe(true);
    expect(seen).toEqual({ pascal: true, syntax: true, prose: true });
    expect(sandbox.stats().llm.mistakes).toBeGreaterThanOrEqual(9);
  });
});

describe('Anthropic messages (scripted model, real @anthropic-ai/sdk)', () => {
  it('answers with the Messages shape, the system prompt as a top-level field', async () => {
    const message = await anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 8192,
      system: SYSTEM,
      messages: [{ role: 'user', content: generatePrompt(momentumSpec) }],
    });
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', stop_reason: 'end_turn' });
    expect(message.id).toMatch(/^msg_/);
    const block = message.content[0]!;
    expect(block.type).toBe('text');
    const text = (block as { text: string }).text;
    expect(fenceBody(text)).toBe(momentumCode);
    expect(message.usage.input_tokens).toBe(Math.ceil((SYSTEM.length + generatePrompt(momentumSpec).length) / 4));
    expect(message.usage.output_tokens).toBe(Math.ceil(text.length / 4));
  });

  it('stops at max_tokens', async () => {
    const message = await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 20, messages: [{ role: 'user', content: generatePrompt(momentumSpec) }] });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(20);
  });

  it('refuses a wrong key with an authentication_error in Anthropic’s shape', async () => {
    const wrong = new Anthropic({ baseURL: `${sandbox.url}/anthropic`, apiKey: 'sk-ant-wrong', maxRetries: 0 });
    const err = await wrong.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as InstanceType<typeof Anthropic.AuthenticationError>).status).toBe(401);
    expect((err as InstanceType<typeof Anthropic.AuthenticationError>).error).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
  });

  it('counts calls and tokens per task and provider', () => {
    const llm = sandbox.stats().llm;
    expect(llm.byProvider.anthropic!.calls).toBe(2);
    expect(llm.byTask.summarize!.calls).toBe(7);
    expect(llm.byTask.generate!.calls).toBeGreaterThanOrEqual(4);
    expect(llm.calls).toBe(Object.values(llm.byTask).reduce((n, u) => n + u.calls, 0));
    expect(llm.inputTokens).toBe(Object.values(llm.byProvider).reduce((n, u) => n + u.inputTokens, 0));
  });
});

describe("the OpenAI simulator's stored completions", () => {
  it('keeps completions created with store: true with their metadata, and lists and retrieves them by it', async () => {
    const tag = `t${Date.now()}`;
    const messages = [{ role: 'system' as const, content: SYSTEM }, { role: 'user' as const, content: 'Summarise momentum.' }];
    const stored = await openai.chat.completions.create({ model: 'gpt-4o', messages, store: true, metadata: { run: tag, step: 'a' } });
    await openai.chat.completions.create({ model: 'gpt-4o', messages, store: true, metadata: { run: tag, step: 'b' } });
    const unstored = await openai.chat.completions.create({ model: 'gpt-4o', messages, metadata: { run: tag, step: 'a' } });
    // the create answer does not echo metadata, as OpenAI's does not
    expect((stored as unknown as Record<string, unknown>).metadata).toBeUndefined();

    const byStep = await openai.chat.completions.list({ metadata: { run: tag, step: 'a' } });
    expect(byStep.data.map((c) => c.id)).toEqual([stored.id]);
    expect(byStep.data[0]!.choices[0]!.message.content).toBe(stored.choices[0]!.message.content);
    expect((byStep.data[0] as unknown as { metadata: Record<string, string> }).metadata).toEqual({ run: tag, step: 'a' });
    expect((await openai.chat.completions.list({ metadata: { run: tag } })).data).toHaveLength(2);
    expect((await openai.chat.completions.list({ metadata: { run: `${tag}-other` } })).data).toHaveLength(0);
    expect((await openai.chat.completions.retrieve(stored.id)).id).toBe(stored.id);
    await expect(openai.chat.completions.retrieve(unstored.id)).rejects.toMatchObject({ status: 404 });
  });

  it("rejects metadata beyond OpenAI's limits", async () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    await expect(openai.chat.completions.create({ model: 'gpt-4o', messages, store: true, metadata: { ['k'.repeat(65)]: 'v' } })).rejects.toMatchObject({ status: 400 });
    await expect(openai.chat.completions.create({ model: 'gpt-4o', messages, store: true, metadata: { k: 'v'.repeat(513) } })).rejects.toMatchObject({ status: 400 });
  });
});
