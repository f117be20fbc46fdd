/**
 * Finding a paper's PDF on a publisher's landing page: the `citation_pdf_url` meta tag (the
 * Highwire convention publishers and SSRN write for indexers), else the page's single link that
 * plainly points to a PDF. Several different PDF links and no meta tag is ambiguous: no answer.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x2f': '/', '#47': '/' };

function decodeAttribute(v: string): string {
  return v.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => ENTITIES[e.toLowerCase()] ?? m).trim();
}

/** The attributes of one HTML tag, names lower-cased. */
function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-z_:][-a-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
  for (let m = re.exec(tag); m; m = re.exec(tag)) out[m[1]!.toLowerCase()] = decodeAttribute(m[2] ?? m[3] ?? m[4] ?? '');
  return out;
}

function absolute(href: string, base: string): string | null {
  try {
    const u = new URL(href, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** Whether the bytes look like an HTML document rather than a PDF. */
export function looksLikeHtml(head: string): boolean {
  return /<(!doctype html|html|head|body|meta)\b/i.test(head.slice(0, 2048));
}

/** The PDF link of a landing page at `pageUrl`, or null when it has none (or several and no meta tag). */
export function pdfLinkFromLandingPage(html: string, pageUrl: string): string | null {
  for (const [tag] of html.matchAll(/<meta\b[^>]*>/gi)) {
    const a = attributes(tag);
    const name = (a.name ?? a.property ?? '').toLowerCase();
    if (name === 'citation_pdf_url' && a.content) {
      const url = absolute(a.content, pageUrl);
      if (url) return url;
    }
  }
  const links = new Set<string>();
  for (const [tag] of html.matchAll(/<a\b[^>]*>/gi)) {
    const a = attributes(tag);
    if (!a.href) continue;
    const url = absolute(a.href, pageUrl);
    if (!url) continue;
    const pathPart = new URL(url).pathname.toLowerCase();
    if (pathPart.endsWith('.pdf') || (a.type ?? '').toLowerCase() === 'application/pdf') links.add(url);
  }
  return links.size === 1 ? [...links][0]! : null;
}
