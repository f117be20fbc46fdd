/**
 * Normalises an error message into a signature: what stays the same when the same mistake is made
 * in another program. Numbers, quoted text, line/column positions and user names are abstracted.
 */
export function errorSignature(kind: string, message: string): string {
  const firstLines = message.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 3).join(' | ');
  const sig = firstLines
    .replace(/File:? "?[^"\s]+"?/gi, 'File <file>')
    .replace(/\b(line|Line|lineno)\s*:?\s*\d+/g, '$1 <n>')
    .replace(/\b(column|Column|col|offset)\s*:?\s*\d+/g, '$1 <n>')
    .replace(/(['"])(?:(?!\1).){1,80}\1/g, '<text>')
    .replace(/\bself\.[A-Za-z_]\w*/g, (m) => (/^self\.[a-z_]+$/.test(m) && LEAN_SELF_API.has(m.slice(5)) ? m : 'self.<attr>'))
    .replace(/0x[0-9a-f]+/gi, '<hex>')
    .replace(/\b\d+(\.\d+)?\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 240);
  return `${kind}: ${sig}`;
}

// LEAN API attributes keep their names in signatures: they are what the error is about.
const LEAN_SELF_API = new Set([
  'set_start_date', 'set_end_date', 'set_cash', 'add_equity', 'add_forex', 'add_crypto', 'set_holdings', 'liquidate',
  'history', 'sma', 'ema', 'rsi', 'bb', 'macd', 'atr', 'std', 'momp', 'roc', 'portfolio', 'securities', 'schedule',
  'debug', 'log', 'plot', 'set_warm_up', 'set_benchmark', 'time', 'is_warming_up',
]);

/** A minimal line diff (`- old` / `+ new` lines with a line of context), small enough for prompts. */
export function lineDiff(before: string, after: string, maxLines = 40): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  // LCS table over lines; generated algorithms are a few hundred lines at most
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out.slice(0, maxLines).join('\n') + (out.length > maxLines ? `\n… ${out.length - maxLines} more changed lines` : '');
}

/** Confidence in a learned fix: grows with successes, falls with failures (Laplace-smoothed). */
export function fixConfidence(successes: number, failures: number): number {
  return (successes + 1) / (successes + failures + 2);
}
