import { checkFaithfulness } from '../python/faithfulness';
import { readLearningStore, type LearningStoreLocation } from '../store/open';
import { driftLines, generatedFrom, type FaithfulnessReport } from '../domain/faithfulness';
import { strategySpecSchema } from '../domain/strategy';

/** An evolved program compared with the specification of the paper its baseline was generated from. */
export interface SpecDrift {
  /** The pipeline run and paper whose specification is the reference. */
  pipelineRunId: string;
  title: string;
  report: FaithfulnessReport;
  lines: string[];
}

/**
 * The drift of `code` from its paper's specification, when the baseline is a generated algorithm
 * whose specification the learning database holds; null otherwise (a hand-written baseline).
 */
export async function specDrift(store: LearningStoreLocation, baseline: string | undefined, code: string): Promise<SpecDrift | null> {
  const origin = generatedFrom(baseline ?? '') ?? generatedFrom(code);
  if (!origin) return null;
  const specJson = await readLearningStore<string | undefined>(store, undefined, async (prisma) => {
    const summaries = await prisma.summary.findMany({ where: { runId: origin.runId }, include: { article: true } });
    return (summaries.find((s) => s.article.title === origin.title) ?? (summaries.length === 1 ? summaries[0] : undefined))?.spec;
  });
  if (!specJson) return null;
  const spec = strategySpecSchema.safeParse(JSON.parse(specJson));
  if (!spec.success) return null;
  const report = await checkFaithfulness(code, spec.data);
  return { pipelineRunId: origin.runId, title: origin.title, report, lines: driftLines(report) };
}
