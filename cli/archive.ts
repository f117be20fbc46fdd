import { zipSync, type Zippable } from 'fflate';

export interface ArchiveEntry {
  /** Path inside the archive, with `/` separators. */
  name: string;
  content: string | Uint8Array;
}

/**
 * A ZIP archive of the entries, stored without compression (exported code is small, and any
 * unzip reads stored entries). Names must be relative and stay inside the archive.
 */
export function zipFiles(entries: ArchiveEntry[], modified = new Date()): Buffer {
  const files: Zippable = {};
  for (const entry of entries) {
    const name = entry.name.replace(/\\/g, '/');
    if (!name || name.startsWith('/') || name.split('/').includes('..')) throw new Error(`"${entry.name}" cannot be stored in a ZIP archive`);
    if (name in files) throw new Error(`"${entry.name}" appears twice in the archive`);
    files[name] = [typeof entry.content === 'string' ? new TextEncoder().encode(entry.content) : entry.content, { level: 0, mtime: modified }];
  }
  return Buffer.from(zipSync(files));
}
