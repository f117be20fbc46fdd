import type { PrismaClient, Variant } from '@prisma/client';
import type { VariantRecord } from '../domain/evolution';
import type { StatisticsSummary } from '../domain/pipeline';
import { parseJson } from './json';

/** A variant as the learning database holds it: the recorded fields, and when it was recorded. */
export type VariantRow = Omit<VariantRecord, 'runId' | 'status'> & { status: string; createdAt: string };

/** Records a variant and its lineage as it happens (idempotent on run + variant id). */
export async function recordVariant(prisma: PrismaClient, v: VariantRecord): Promise<void> {
  const data = {
    generation: v.generation,
    island: v.island,
    parents: JSON.stringify(v.parents),
    mutation: v.mutation,
    codeHash: v.codeHash,
    code: v.code,
    status: v.status,
    fitness: v.fitness,
    statistics: v.statistics ? JSON.stringify(v.statistics) : null,
    error: v.error,
    tokensIn: v.tokens.input,
    tokensOut: v.tokens.output,
  };
  await prisma.variant.upsert({ where: { runId_variantId: { runId: v.runId, variantId: v.variantId } }, create: { runId: v.runId, variantId: v.variantId, ...data }, update: data });
}

function variantFromRow(r: Variant): VariantRow {
  return {
    variantId: r.variantId,
    generation: r.generation,
    island: r.island,
    parents: parseJson<string[]>(r.parents) ?? [],
    mutation: r.mutation,
    codeHash: r.codeHash,
    code: r.code,
    status: r.status,
    fitness: r.fitness,
    statistics: parseJson<StatisticsSummary>(r.statistics),
    error: r.error,
    tokens: { input: r.tokensIn, output: r.tokensOut },
    createdAt: r.createdAt.toISOString(),
  };
}

/** Every recorded variant of an evolution run, oldest generation first. */
export async function readVariants(prisma: PrismaClient, runId: string): Promise<VariantRow[]> {
  const rows = await prisma.variant.findMany({ where: { runId }, orderBy: [{ generation: 'asc' }, { variantId: 'asc' }] });
  return rows.map(variantFromRow);
}
