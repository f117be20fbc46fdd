import { toConfiguredId, type Hook } from '@oclif/core';

/** Edit distance counting a swap of two neighbouring letters as one edit (`serach` → `search` is 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The command the user most likely meant, and the words they typed after it. oclif joins what was
 * typed with `:` (`serach momentum` → `serach:momentum`), so each command is compared with as many
 * words as it has; a suggestion must be close (at most a third of the word wrong, at least 2 edits allowed).
 */
export function nearestCommand(typed: string, commandIds: string[]): { id: string; rest: string[] } | null {
  const words = typed.split(':');
  let best: { id: string; rest: string[]; distance: number } | null = null;
  for (const id of commandIds) {
    const n = id.split(':').length;
    if (n > words.length) continue;
    const distance = editDistance(words.slice(0, n).join(':'), id);
    if (distance > Math.max(2, Math.floor(id.length / 3))) continue;
    if (!best || distance < best.distance || (distance === best.distance && n > best.id.split(':').length)) best = { id, rest: words.slice(n), distance };
  }
  return best && { id: best.id, rest: best.rest };
}

/** An unknown command gets one line naming the nearest command, in a terminal or a script alike. */
const hook: Hook<'command_not_found'> = async function (opts) {
  const ids = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const nearest = nearestCommand(opts.id, ids);
  const typed = toConfiguredId(opts.id, opts.config);
  const hint = nearest ? ` Did you mean \`${opts.config.bin} ${[toConfiguredId(nearest.id, opts.config), ...nearest.rest, ...(opts.argv ?? [])].join(' ')}\`?` : '';
  this.error(`"${typed}" is not a ${opts.config.bin} command.${hint} Run \`${opts.config.bin} help\` for the list.`, { exit: 127 });
};

export default hook;
