import type { PrismaClient } from '@prisma/client';
import { numberResults, type NumberedResult, type Paper } from '../domain/papers';

/** Stores a search and its papers; re-running it for the same workflow replaces, never duplicates. */
export async function recordSearch(
  prisma: PrismaClient,
  input: { workflowId: string; query: string; source: string; papers: Paper[] },
): Promise<{ searchId: number; results: NumberedResult[] }> {
  const articleIds: number[] = [];
  for (const p of input.papers) {
    const fields = {
      title: p.title,
      authors: JSON.stringify(p.authors),
      year: p.year,
      doi: p.doi,
      arxivId: p.arxivId,
      url: p.url,
      abstract: p.abstract,
    };
    const row = await prisma.article.upsert({
      where: { source_externalId: { source: p.source, externalId: p.externalId } },
      create: { source: p.source, externalId: p.externalId, ...fields },
      update: fields,
      select: { id: true },
    });
    articleIds.push(row.id);
  }
  const search = await prisma.$transaction(async (tx) => {
    const s = await tx.search.upsert({
      where: { workflowId: input.workflowId },
      create: { workflowId: input.workflowId, query: input.query, source: input.source },
      update: {},
    });
    await tx.searchResult.deleteMany({ where: { searchId: s.id } });
    await tx.searchResult.createMany({ data: articleIds.map((articleId, i) => ({ searchId: s.id, n: i + 1, articleId })) });
    return s;
  });
  return { searchId: search.id, results: numberResults(input.papers) };
}

/** The article behind result number `n` of the latest search (what `download 3` means). */
export async function articleForResult(prisma: PrismaClient, n: number) {
  const latest = await prisma.search.findFirst({ orderBy: { id: 'desc' } });
  if (!latest) return null;
  const hit = await prisma.searchResult.findUnique({ where: { searchId_n: { searchId: latest.id, n } }, include: { article: true } });
  return hit?.article ?? null;
}
