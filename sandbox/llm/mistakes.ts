import { createHash } from 'node:crypto';
import { PASCAL_TO_SNAKE } from '../lean';

/**
 * Typical LLM mistakes, injected into a share (`mistakeRate`) of answers so QuantCoder's repair
 * paths run: the pre-2024 PascalCase LEAN API, a syntax error, or prose instead of a code fence.
 */
export const MISTAKE_KINDS = ['pascal_case', 'syntax_error', 'prose'] as const;
export type MistakeKind = (typeof MISTAKE_KINDS)[number];

/** Whether this request's answer carries a mistake, and which: a pure function of the request hash. */
export function pickMistake(requestHash: string, rate: number): MistakeKind | null {
  if (rate <= 0) return null;
  const h = createHash('sha256').update(requestHash).update('mistake').digest();
  const draw = h.readUInt32BE(0) / 2 ** 32;
  if (draw >= rate) return null;
  return MISTAKE_KINDS[h[4]! % MISTAKE_KINDS.length]!;
}

const SNAKE_TO_PASCAL = Object.fromEntries(
  Object.entries(PASCAL_TO_SNAKE)
    // `value`, `on`, `current` and `log` are too common as plain words to rewrite blindly
    .filter(([, snake]) => !['value', 'on', 'current', 'log', 'history', 'price', 'quantity'].includes(snake))
    .map(([pascal, snake]) => [snake, pascal]),
);

/** Rewrites the code in the old PascalCase API, as models trained on older LEAN examples do. */
export function toPascalCase(code: string): string {
  return code
    .replace(/\bdef (initialize|on_data)\(/g, (_, name: string) => `def ${SNAKE_TO_PASCAL[name]}(`)
    .replace(/\.([a-z][a-z_]*)\b/g, (m, name: string) => (SNAKE_TO_PASCAL[name] ? `.${SNAKE_TO_PASCAL[name]}` : m))
    .replace(/\.current\.value\b/g, '.Current.Value')
    .replace(/Resolution\.(DAILY|HOUR|MINUTE)\b/g, (_, r: string) => `Resolution.${r[0]}${r.slice(1).toLowerCase()}`);
}

/** Breaks one line the way models do: a call loses its closing parenthesis, or a block header its colon. */
export function injectSyntaxError(code: string, rng: () => number): string {
  const lines = code.split('\n');
  const calls = lines.map((l, i) => (/^\s+self\.\w+\(.*\)\s*$/.test(l) && !/[[\]{}"]/.test(l) ? i : -1)).filter((i) => i >= 0);
  const headers = lines.map((l, i) => (/^\s*(def|if|for|elif|else)\b.*:\s*$/.test(l) ? i : -1)).filter((i) => i >= 0);
  const useCall = calls.length > 0 && (headers.length === 0 || rng() < 0.5);
  if (useCall) {
    const i = calls[Math.floor(rng() * calls.length)]!;
    lines[i] = lines[i]!.replace(/\)\s*$/, '');
  } else if (headers.length > 0) {
    const i = headers[Math.floor(rng() * headers.length)]!;
    lines[i] = lines[i]!.replace(/:\s*$/, '');
  }
  return lines.join('\n');
}

/** The code without a fence, between two sentences of chatter: a client that expects a fence gets prose in its Python. */
export function proseAround(code: string): string {
  return `Sure! Here is the complete algorithm, written for QuantConnect LEAN:\n\n${code.trimEnd()}\n\nThis implementation follows the specification and should compile on QuantConnect.`;
}
