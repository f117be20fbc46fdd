import type { StrategySpec } from './strategy';

/**
 * The faithfulness contract between a strategy specification and the code generated from it,
 * written once: the generate prompt asks for it, the gate checks it, the repair message names what
 * breaks it. Two things make a specification traceable in code:
 *
 * - every specification parameter is an attribute assigned a literal in `initialize`, with the
 *   specification's name and value (`self.lookback = 252`), or its stated derivation;
 * - every entry, exit and risk rule has a marker comment `# rule: <kind>[<n>]` (n counts from 1)
 *   at the code that implements it; one comment may name several rules (`# rule: exit[1] risk[1]`).
 */

export const RULE_KINDS = ['entry', 'exit', 'risk'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** `exit[2]`: the second exit rule of the specification. */
export type RuleId = `${RuleKind}[${number}]`;

/** A rule of the specification, with the id its marker comment carries. */
export interface SpecRule {
  id: RuleId;
  kind: RuleKind;
  text: string;
}

/** What the gate reads from the code (with CPython's `ast` and `tokenize`, or tree-sitter). */
export interface CodeFacts {
  /** Whether the algorithm class has an `initialize` method at all. */
  initializeFound: boolean;
  /** `self.NAME = <expression>` statements inside `initialize`, in source order. */
  assignments: Array<{ name: string; value: number | null; source: string; line: number }>;
  /** Every comment in the code, with its text including the `#`. */
  comments: Array<{ text: string; line: number }>;
}

export interface FaithfulnessFinding {
  /** `parameter lookback` or `exit[1]`. */
  item: string;
  kind: 'parameter' | 'rule';
  status: 'changed' | 'missing';
  /** What the specification says: the value (with its derivation), or the rule's text. */
  spec: string;
  /** What the code has (`self.lookback = 126`), or null when it is missing. */
  code: string | null;
}

/** The gate's verdict, as `run --json` reports it per article. */
export interface FaithfulnessReport {
  parameters: { total: number; matched: number; changed: number; missing: number };
  rules: { total: number; implemented: number; missing: number };
  findings: FaithfulnessFinding[];
}

const RULE_LISTS: Record<RuleKind, (spec: StrategySpec) => string[]> = {
  entry: (s) => s.entryRules,
  exit: (s) => s.exitRules,
  risk: (s) => s.riskManagement,
};

/** Every rule of the specification with its id, entry rules first. */
export function specRules(spec: StrategySpec): SpecRule[] {
  return RULE_KINDS.flatMap((kind) => RULE_LISTS[kind](spec).map((text, i) => ({ id: `${kind}[${i + 1}]` as RuleId, kind, text })));
}

const MARKER = /^#\s*rule\s*:(.*)$/i;
const RULE_ID = /\b(entry|exit|risk)\s*\[\s*(\d+)\s*\]/gi;

/** The rule ids a comment names, when it is a marker comment (`# rule: exit[1], risk[2]`). */
export function ruleIdsInComment(comment: string): RuleId[] {
  const body = MARKER.exec(comment.trim())?.[1];
  if (body === undefined) return [];
  return [...body.matchAll(RULE_ID)].map((m) => `${m[1]!.toLowerCase()}[${Number(m[2])}]` as RuleId);
}

/** Python literal of a specification value, as the contract asks the code to write it. */
export function pythonLiteral(value: number): string {
  return String(value);
}

/** The value the code should carry: the derived one when the specification states a derivation. */
export function codeValue(p: StrategySpec['parameters'][number]): number {
  return p.derived?.value ?? p.value;
}

function sameValue(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function specValueText(p: StrategySpec['parameters'][number]): string {
  return p.derived ? `${pythonLiteral(p.derived.value)} (${pythonLiteral(p.value)} in the paper; ${p.derived.how})` : pythonLiteral(p.value);
}

/** Compares the code's facts with the specification, item by item. */
export function assessFaithfulness(spec: StrategySpec, facts: CodeFacts): FaithfulnessReport {
  const findings: FaithfulnessFinding[] = [];
  let matched = 0;
  let changed = 0;
  let missing = 0;
  for (const p of spec.parameters) {
    // the last assignment in initialize is the value the algorithm runs with
    const assigned = facts.assignments.filter((a) => a.name === p.name).at(-1);
    const item = `parameter ${p.name}`;
    if (!assigned) {
      missing++;
      findings.push({ item, kind: 'parameter', status: 'missing', spec: specValueText(p), code: null });
      continue;
    }
    const accepted = [p.value, ...(p.derived ? [p.derived.value] : [])];
    if (assigned.value !== null && accepted.some((v) => sameValue(v, assigned.value!))) {
      matched++;
      continue;
    }
    changed++;
    findings.push({ item, kind: 'parameter', status: 'changed', spec: specValueText(p), code: assigned.source });
  }
  const marked = new Set(facts.comments.flatMap((c) => ruleIdsInComment(c.text)));
  const rules = specRules(spec);
  let implemented = 0;
  for (const rule of rules) {
    if (marked.has(rule.id)) implemented++;
    else findings.push({ item: rule.id, kind: 'rule', status: 'missing', spec: rule.text, code: null });
  }
  return {
    parameters: { total: spec.parameters.length, matched, changed, missing },
    rules: { total: rules.length, implemented, missing: rules.length - implemented },
    findings,
  };
}

export function isFaithful(report: FaithfulnessReport): boolean {
  return report.findings.length === 0;
}

function quoted(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `"${flat.length > max ? `${flat.slice(0, max - 1)}…` : flat}"`;
}

/**
 * One finding as the repair prompt states it: the item in backticks first, then the specification's
 * value or text, then what the code has and what to write.
 */
export function findingMessage(f: FaithfulnessFinding, spec?: StrategySpec): string {
  if (f.kind === 'parameter') {
    const name = f.item.replace(/^parameter /, '');
    const param = spec?.parameters.find((p) => p.name === name);
    const value = param ? codeValue(param) : undefined;
    const write = value === undefined ? '' : ` Write \`self.${name} = ${pythonLiteral(value)}\` in initialize and use it.`;
    return f.status === 'missing'
      ? `- \`${name}\` = ${f.spec} in the specification; the code never sets self.${name} in initialize.${write}`
      : `- \`${name}\` = ${f.spec} in the specification; the code has \`${f.code}\` instead.${write}`;
  }
  return `- \`${f.item}\` is not implemented: the specification says ${quoted(f.spec, 300)}. Implement it and put the comment \`# rule: ${f.item}\` at the code that does.`;
}

/** The repair message of a faithfulness problem: every finding, one per line. */
export function faithfulnessProblemMessage(report: FaithfulnessReport, spec?: StrategySpec): string {
  const n = report.findings.length;
  return [
    `The algorithm does not implement its specification: ${n} item${n === 1 ? '' : 's'} to fix, and nothing else to change.`,
    ...report.findings.map((f) => findingMessage(f, spec)),
  ].join('\n');
}

/** The one-line summary `run`, `generate` and `runs show` print per article. */
export function faithfulnessLine(report: FaithfulnessReport): string {
  const p = report.parameters;
  const r = report.rules;
  const head = `parameters ${p.matched}/${p.total}, rules ${r.implemented}/${r.total}`;
  if (!report.findings.length) return `${head} — faithful to the specification`;
  const describe = (f: FaithfulnessFinding) =>
    f.kind === 'rule' ? `${f.item} '${quoted(f.spec, 60).slice(1, -1)}'` : f.status === 'missing' ? `${f.item} (spec ${f.spec})` : `${f.item} (spec ${f.spec}, code ${f.code})`;
  const missing = report.findings.filter((f) => f.status === 'missing').map(describe);
  const changed = report.findings.filter((f) => f.status === 'changed').map(describe);
  return [head, missing.length ? `missing: ${missing.join('; ')}` : '', changed.length ? `changed: ${changed.join('; ')}` : ''].filter(Boolean).join(' — ');
}

/** The contract as the generate prompt states it. */
export function faithfulnessContractText(spec: StrategySpec): string {
  const params = spec.parameters.map((p) =>
    p.derived ? `  self.${p.name} = ${pythonLiteral(p.derived.value)}  (${pythonLiteral(p.value)} in the paper; ${p.derived.how})` : `  self.${p.name} = ${pythonLiteral(p.value)}`,
  );
  const rules = specRules(spec).map((r) => `  ${r.id}: ${quoted(r.text, 200)}`);
  return [
    'Faithfulness: the algorithm must implement this specification traceably.',
    '- Set every specification parameter in `initialize` as an attribute with exactly this name and value, and use the attribute (never a copy of the number):',
    ...params,
    '- Implement every rule below, and put a comment `# rule: <id>` on or just above the code implementing it (one comment may name several ids, e.g. `# rule: exit[1] risk[1]`):',
    ...rules,
  ].join('\n');
}

/**
 * How far an evolved program has drifted from the paper's specification, one line per aspect:
 * which rules it still marks, which parameters it changed and to what. Evolution changes
 * parameters on purpose; this keeps the paper in view rather than judging the change.
 */
export function driftLines(report: FaithfulnessReport): string[] {
  const p = report.parameters;
  const r = report.rules;
  const dropped = report.findings.filter((f) => f.kind === 'rule');
  const changed = report.findings.filter((f) => f.kind === 'parameter' && f.status === 'changed');
  const missing = report.findings.filter((f) => f.kind === 'parameter' && f.status === 'missing');
  const name = (f: FaithfulnessFinding) => f.item.replace(/^parameter /, '');
  return [
    `rules kept: ${r.implemented}/${r.total}${dropped.length ? ` — no longer marked: ${dropped.map((f) => `${f.item} '${quoted(f.spec, 60).slice(1, -1)}'`).join('; ')}` : ''}`,
    `parameters at the paper's values: ${p.matched}/${p.total}`,
    ...changed.map((f) => `  ${name(f)}: paper ${f.spec}, now ${f.code}`),
    ...missing.map((f) => `  ${name(f)}: paper ${f.spec}, no longer set in initialize`),
  ];
}

/** The pipeline run and paper a generated algorithm came from, read from the header QuantCoder writes above it. */
export function generatedFrom(code: string): { runId: string; title: string } | null {
  const title = /^# Generated by QuantCoder from: (.+)$/m.exec(code)?.[1]?.trim();
  const runId = /^# Run: (\S+)\s*$/m.exec(code)?.[1];
  return title && runId ? { runId, title } : null;
}
