import { InvalidInputError } from './errors';

/** A date as `YYYY-MM-DD`, validated (`2020-02-30` is refused). */
export function parseIsoDate(text: string): { y: number; m: number; d: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return { y, m: mo, d };
}

/**
 * Checks a backtest period the user gave: each date real and written `YYYY-MM-DD`, the start
 * before the end. Every command that takes `--start`/`--end` calls it before starting anything.
 */
export function validatePeriod(start?: string, end?: string): void {
  for (const [flag, value] of [
    ['--start', start],
    ['--end', end],
  ] as const) {
    if (value !== undefined && !parseIsoDate(value)) throw new InvalidInputError(`${flag} ${value} is not a date; use YYYY-MM-DD`);
  }
  if (start && end && start.trim() >= end.trim()) throw new InvalidInputError(`--start ${start} must be before --end ${end}`);
}

/** The period an algorithm sets for itself (`set_start_date(2019, 1, 1)`, snake or Pascal case), as `YYYY-MM-DD`. */
export function periodOf(code: string): { start: string | null; end: string | null } {
  const read = (which: 'start' | 'end') => {
    const m = new RegExp(`self\\.(?:set_${which}_date|Set${which === 'start' ? 'Start' : 'End'}Date)\\s*\\(\\s*(?:datetime\\s*\\(\\s*)?(\\d{4})\\s*,\\s*(\\d{1,2})\\s*,\\s*(\\d{1,2})`).exec(code);
    return m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : null;
  };
  return { start: read('start'), end: read('end') };
}

/**
 * Makes an algorithm backtest over [start, end]: rewrites its `set_start_date`/`set_end_date`
 * calls (snake or Pascal case), or adds them at the top of `initialize` when missing.
 */
export function applyBacktestPeriod(code: string, start?: string, end?: string): string {
  let out = code;
  for (const [which, value] of [
    ['start', start],
    ['end', end],
  ] as const) {
    if (!value) continue;
    const date = parseIsoDate(value);
    if (!date) throw new Error(`"${value}" is not a date (YYYY-MM-DD)`);
    const call = `set_${which}_date(${date.y}, ${date.m}, ${date.d})`;
    const re = new RegExp(`self\\.(?:set_${which}_date|Set${which === 'start' ? 'Start' : 'End'}Date)\\s*\\([^)\\n]*\\)`, 'g');
    if (re.test(out)) out = out.replace(re, `self.${call}`);
    else {
      const init = /^([ \t]*)def (?:initialize|Initialize)\s*\(\s*self\s*\)\s*(?:->\s*None\s*)?:[ \t]*\n/m.exec(out);
      if (!init) continue;
      const bodyIndent = /^([ \t]+)\S/m.exec(out.slice(init.index + init[0].length))?.[1] ?? `${init[1]}    `;
      const at = init.index + init[0].length;
      out = `${out.slice(0, at)}${bodyIndent}self.${call}\n${out.slice(at)}`;
    }
  }
  // one date given may invert the period with the other date the algorithm already sets
  const period = periodOf(out);
  if ((start || end) && period.start && period.end && period.start >= period.end) {
    throw new InvalidInputError(`The backtest period is inverted: it starts ${period.start} and ends ${period.end}`);
  }
  return out;
}
