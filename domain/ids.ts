/** Lower-case, dash-separated, at most `max` characters: safe in workflow ids and file names. */
export function slugify(text: string, max = 40): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
  return slug || 'untitled';
}

/** A short, stable hex hash (FNV-1a, 32 bits) for readable ids; not for security. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0').slice(0, 7);
}

/** A meaningful workflow id: `<kind>-<slug>-<short hash>` where the hash keeps runs apart. */
export function runId(kind: string, topic: string, nonce: string): string {
  return `${kind}-${slugify(topic, 32)}-${shortHash(`${topic}\u0000${nonce}`)}`;
}
