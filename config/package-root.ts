import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/** The installed QuantCoder package's root folder (where package.json, prisma/ and .tools/ live). */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'quantcoder') return (cached = dir);
      } catch {
        // an unreadable manifest is not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the QuantCoder package root above ' + __dirname);
    dir = parent;
  }
}

/** QuantCoder's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
