import { createHash } from 'node:crypto';

/**
 * The unfaithful model: a share (`unfaithfulRate`) of generated algorithms quietly departs from
 * the specification the prompt gave, as real models do — a parameter gets another value, a
 * parameter's number is written inline instead of as the named attribute, or a rule's marker
 * comment (and with it the claim that the rule is implemented) is left out. The code still parses
 * and compiles; only reading it against the specification shows the difference.
 *
 * Repairs fix only what the repair request names the way a reader takes it in: a rule id such as
 * `exit[1]`, or a parameter quoted in backticks followed by the value it should have.
 */

export const UNFAITHFUL_KINDS = ['changed_value', 'omitted_parameter', 'dropped_rule'] as const;
export type UnfaithfulKind = (typeof UNFAITHFUL_KINDS)[number];

/** One departure from the specification the sandbox wrote into an answer, kept to count and to trace. */
export interface PlantedMistake {
  /** The algorithm's class name: which program carries it. */
  program: string;
  kind: UnfaithfulKind;
  /** `parameter lookback` or `exit[1]`. */
  item: string;
  /** The value the specification gave (parameters). */
  specValue?: number;
  /** The value written instead (changed values). */
  writtenValue?: number;
}

/** What `/__sandbox/stats` reports under `unfaithful`. */
export interface UnfaithfulStats {
  /** Generated algorithms, and those that departed from their specification. */
  generated: number;
  unfaithfulAnswers: number;
  planted: PlantedMistake[];
  /** Items a repair request named that the repair then changed. */
  itemsRepaired: number;
  /** QuantConnect compiles, and those of a program still carrying a mistake planted in it. */
  compilesChecked: number;
  compilesWithPlantedMistakes: number;
}

export function emptyUnfaithfulStats(): UnfaithfulStats {
  return { generated: 0, unfaithfulAnswers: 0, planted: [], itemsRepaired: 0, compilesChecked: 0, compilesWithPlantedMistakes: 0 };
}

/** Counts a model answer's planted departures and repaired items. */
export function countUnfaithfulness(stats: UnfaithfulStats, answer: { task: string; planted?: PlantedMistake[]; itemsRepaired?: number }): void {
  if (answer.task === 'generate') {
    stats.generated++;
    if (answer.planted?.length) stats.unfaithfulAnswers++;
    stats.planted.push(...(answer.planted ?? []));
  }
  stats.itemsRepaired += answer.itemsRepaired ?? 0;
}

/** Counts one QuantConnect compile, and whether its program still carries a planted departure. */
export function countCompiledProgram(stats: UnfaithfulStats, files: Array<{ content: string }>): void {
  stats.compilesChecked++;
  if (files.some((f) => carriesPlantedMistake(f.content, stats.planted))) stats.compilesWithPlantedMistakes++;
}

/** What the generate request asked for, as the model read it from the specification. */
export interface AskedItems {
  parameters: Array<{ name: string; value: number }>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const MARKER_LINE = /^\s*#\s*rule\s*:/i;

function programOf(code: string): string {
  return /^class\s+(\w+)\s*\(\s*QCAlgorithm\s*\)/m.exec(code)?.[1] ?? '';
}

function literal(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 10_000) / 10_000);
}

/** The line of `self.NAME = <number>` in `initialize`, when the model wrote one. */
function parameterLine(lines: string[], name: string): number {
  const re = new RegExp(`^\\s+self\\.${escape(name)}\\s*=\\s*-?[\\d.]+\\s*$`);
  return lines.findIndex((l) => re.test(l));
}

/**
 * Departs from the specification in one or two items when this request draws it (a pure function
 * of the request hash, like the other mistakes). Only items the specification named are touched,
 * so every departure is one a reader of the specification could notice.
 */
export function plantUnfaithfulness(code: string, requestHash: string, rate: number, asked: AskedItems): { code: string; planted: PlantedMistake[] } {
  if (rate <= 0) return { code, planted: [] };
  const h = createHash('sha256').update(requestHash).update('unfaithful').digest();
  if (h.readUInt32BE(0) / 2 ** 32 >= rate) return { code, planted: [] };
  let lines = code.split('\n');
  const program = programOf(code);
  const candidates: Array<{ kind: UnfaithfulKind; item: string; name?: string; value?: number }> = [];
  for (const p of asked.parameters) {
    if (parameterLine(lines, p.name) < 0) continue;
    candidates.push({ kind: 'changed_value', item: `parameter ${p.name}`, name: p.name, value: p.value });
    // inlining needs the attribute to be read only, never assigned again
    const assignments = lines.filter((l) => new RegExp(`self\\.${escape(p.name)}\\s*=(?!=)`).test(l)).length;
    if (assignments === 1) candidates.push({ kind: 'omitted_parameter', item: `parameter ${p.name}`, name: p.name, value: p.value });
  }
  for (const line of lines) if (MARKER_LINE.test(line)) for (const m of line.matchAll(/\b(entry|exit|risk)\[\d+\]/g)) candidates.push({ kind: 'dropped_rule', item: m[0] });
  const wanted = 1 + (h[4]! % 2);
  // a deterministic shuffle: each candidate's place is a function of the request and the candidate
  const rank = (c: { kind: string; item: string }) => createHash('sha256').update(requestHash).update(c.kind).update(c.item).digest().readUInt32BE(0);
  const chosen: typeof candidates = [];
  for (const c of [...candidates].sort((a, b) => rank(a) - rank(b))) {
    if (chosen.length < wanted && !chosen.some((o) => o.item === c.item)) chosen.push(c);
  }
  const planted: PlantedMistake[] = [];
  for (const [i, c] of chosen.entries()) {
    if (c.kind === 'changed_value') {
      const at = parameterLine(lines, c.name!);
      const factor = [0.5, 2, 0.75, 1.5][h[20 + i]! % 4]!;
      let written = Number.isInteger(c.value!) ? Math.max(1, Math.round(c.value! * factor)) : Math.round(c.value! * factor * 10_000) / 10_000;
      if (written === c.value) written = c.value! + 1;
      lines[at] = lines[at]!.replace(/=\s*-?[\d.]+\s*$/, `= ${literal(written)}`);
      planted.push({ program, kind: c.kind, item: c.item, specValue: c.value, writtenValue: written });
    } else if (c.kind === 'omitted_parameter') {
      const at = parameterLine(lines, c.name!);
      const number = /=\s*(-?[\d.]+)\s*$/.exec(lines[at]!)![1]!;
      lines.splice(at, 1);
      // the number goes where the attribute was read, as a model that forgets the attribute writes it
      const use = new RegExp(`self\\.${escape(c.name!)}\\b`, 'g');
      lines = lines.map((l) => l.replace(use, number));
      planted.push({ program, kind: c.kind, item: c.item, specValue: c.value });
    } else {
      const at = lines.findIndex((l) => MARKER_LINE.test(l) && l.includes(c.item));
      const rest = lines[at]!.replace(c.item, '').replace(/\s+$/, '');
      if (/\b(entry|exit|risk)\[\d+\]/.test(rest)) lines[at] = `${/^\s*/.exec(rest)![0]}${rest.trim().replace(/\s{2,}/g, ' ')}`;
      else lines.splice(at, 1);
      planted.push({ program, kind: c.kind, item: c.item });
    }
  }
  return { code: lines.join('\n'), planted };
}

/** What a repair request names: rule ids, and parameters (in backticks) with the value that follows them. */
export function namedItems(request: string): { rules: string[]; parameters: Array<{ name: string; value: number }> } {
  const rules: string[] = [];
  const parameters: Array<{ name: string; value: number }> = [];
  for (const line of request.split('\n')) {
    if (!/^\s*[-*]\s/.test(line)) continue;
    const rule = /\b(entry|exit|risk)\[(\d+)\]/.exec(line);
    if (rule) {
      rules.push(rule[0]);
      continue;
    }
    const named = /`([a-z_][a-z0-9_]*)`/.exec(line);
    if (!named) continue;
    const value = /-?\d+(?:\.\d+)?/.exec(line.slice(named.index + named[0].length));
    if (value) parameters.push({ name: named[1]!, value: Number(value[0]) });
  }
  return { rules, parameters };
}

const KIND_LINE: Record<string, RegExp> = {
  entry: /self\.set_holdings\(/,
  exit: /self\.liquidate\(/,
  risk: /stop|leverage|max\(/,
};

/** Applies what the request names to the code: values set in `initialize`, rule markers put back. Returns how many items changed. */
export function repairNamedItems(code: string, request: string): { code: string; repaired: number } {
  const { rules, parameters } = namedItems(request);
  const lines = code.split('\n');
  let repaired = 0;
  const init = lines.findIndex((l) => /^\s+def initialize\s*\(/.test(l));
  for (const p of parameters) {
    const at = lines.findIndex((l) => new RegExp(`^\\s+self\\.${escape(p.name)}\\s*=(?!=)`).test(l));
    if (at >= 0 && at > init) {
      lines[at] = lines[at]!.replace(/=.*$/, `= ${literal(p.value)}`);
      repaired++;
    } else if (init >= 0) {
      // after the last plain assignment of initialize's opening lines
      const indent = `${/^\s*/.exec(lines[init]!)![0]}    `;
      let after = init;
      for (let i = init + 1; i < lines.length && (lines[i]!.startsWith(indent) || !lines[i]!.trim()); i++) {
        if (/^\s+self\.\w+\s*=\s*-?[\d.]+\s*$/.test(lines[i]!) || /self\.set_(cash|start_date|end_date)\(/.test(lines[i]!)) after = i;
        else if (after > init) break;
      }
      lines.splice(after + 1, 0, `${indent}self.${p.name} = ${literal(p.value)}`);
      repaired++;
    }
  }
  for (const id of rules) {
    if (lines.some((l) => /#/.test(l) && l.slice(l.indexOf('#')).includes(id))) continue;
    const kind = id.slice(0, id.indexOf('['));
    const sameKind = lines.findIndex((l) => MARKER_LINE.test(l) && l.includes(`${kind}[`));
    if (sameKind >= 0) lines[sameKind] = `${lines[sameKind]!.replace(/\s+$/, '')} ${id}`;
    else {
      const body = init >= 0 ? init + 1 : 0;
      let at = lines.findIndex((l, i) => i > body && !/^\s*def /.test(l) && KIND_LINE[kind]!.test(l));
      if (at < 0) at = body;
      lines.splice(at, 0, `${/^\s*/.exec(lines[at]!)![0]}# rule: ${id}`);
    }
    repaired++;
  }
  return { code: lines.join('\n'), repaired };
}

/** Whether a compiled program still carries a mistake planted in it. */
export function carriesPlantedMistake(code: string, planted: PlantedMistake[]): boolean {
  const program = programOf(code);
  if (!program) return false;
  const comments = code.split('\n').filter((l) => l.includes('#')).map((l) => l.slice(l.indexOf('#')));
  return planted.some((m) => {
    if (m.program !== program) return false;
    const name = m.item.replace(/^parameter /, '');
    const assigned = new RegExp(`^\\s+self\\.${escape(name)}\\s*=\\s*(-?[\\d.]+)\\s*$`, 'm').exec(code);
    if (m.kind === 'changed_value') return assigned !== null && Number(assigned[1]) === m.writtenValue;
    if (m.kind === 'omitted_parameter') return !new RegExp(`^\\s+self\\.${escape(name)}\\s*=(?!=)`, 'm').test(code);
    return !comments.some((c) => c.includes(m.item));
  });
}
