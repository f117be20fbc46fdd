import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './errors';

/** Reads an algorithm file the user named, with a clear error when it is not there. */
export function readAlgorithm(file: string): { file: string; code: string } {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isFile()) throw new UserError(`No file at ${resolved}`);
  return { file: resolved, code: fs.readFileSync(resolved, 'utf8') };
}

/**
 * What a run on an algorithm file is named after: the algorithm's class (`class Momentum(QCAlgorithm)`),
 * else the file's name without its extension. Never the folder: every generated algorithm is a `main.py`
 * in some folder, and the class says which strategy it is.
 */
export function algorithmName(file: string, code: string): string {
  const cls = /^class\s+([A-Za-z_]\w*)\s*\(\s*(?:[\w.]+\.)?QCAlgorithm\s*\)\s*:/m.exec(code)?.[1];
  if (cls) return cls;
  return path.basename(file).replace(/\.[^.]+$/, '') || 'algorithm';
}

/** Reads an algorithm piped in (`validate -`); a terminal on standard input means nothing was piped. */
export async function readAlgorithmFromStdin(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) throw new UserError('`-` reads the algorithm from standard input, but nothing is piped in (try: cat main.py | quantcoder validate -)');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
