import type { PrismaClient } from '@prisma/client';
import type { Paper } from '../domain/papers';

/** The article row for a paper, created on first sight (upsert on its natural key). */
export async function ensureArticle(prisma: PrismaClient, paper: Paper): Promise<{ id: number }> {
  return prisma.article.upsert({
    where: { source_externalId: { source: paper.source, externalId: paper.externalId } },
    create: {
      source: paper.source,
      externalId: paper.externalId,
      doi: paper.doi,
      arxivId: paper.arxivId,
      title: paper.title,
      authors: JSON.stringify(paper.authors),
      year: paper.year,
      url: paper.url,
      abstract: paper.abstract,
    },
    update: {},
    select: { id: true },
  });
}
