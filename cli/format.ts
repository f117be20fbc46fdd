/** Renders rows as an aligned plain-text table (no colours, so output pipes cleanly). */
export function table(rows: Array<Record<string, string | number | null | undefined>>, columns: Array<{ key: string; header: string; max?: number }>): string {
  const cell = (v: unknown, max?: number) => {
    const s = v === null || v === undefined ? '' : String(v);
    return max && s.length > max ? `${s.slice(0, max - 1)}…` : s;
  };
  const widths = columns.map((c) => Math.max(c.header.length, ...rows.map((r) => cell(r[c.key], c.max).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c.key], c.max))))].join('\n');
}

export function authorsShort(authors: string[]): string {
  return authors.length > 3 ? `${authors.slice(0, 3).join(', ')} et al.` : authors.join(', ');
}

/** A size in bytes as people read it (B, KB, MB, GB). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}
