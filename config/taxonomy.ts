import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_TAXONOMY, resolveTaxonomy, TaxonomyError, type TaxonomyCategory } from '../domain/taxonomy';

/**
 * The taxonomy in force: `file` when given, else `<home>/taxonomy.json` when it exists, applied over
 * the defaults (see domain/taxonomy.ts for the format).
 */
export function loadTaxonomy(file: string | undefined, home: string): { categories: TaxonomyCategory[]; source: string } {
  const chosen = file ? path.resolve(file) : path.join(home, 'taxonomy.json');
  if (!fs.existsSync(chosen)) {
    if (file) throw new TaxonomyError(`No taxonomy file at ${chosen}`);
    return { categories: DEFAULT_TAXONOMY.map((c) => ({ ...c, queries: [...c.queries] })), source: 'built-in' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(chosen, 'utf8'));
  } catch (err) {
    throw new TaxonomyError(`${chosen} is not valid JSON (${(err as Error).message})`);
  }
  return { categories: resolveTaxonomy(parsed, chosen), source: chosen };
}

