import fs from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '@prisma/client';
import { PathSecurityError } from '../domain/errors';
import { processedPaperIds, recordAutonomousIteration, recordLibraryResult, type IterationRecord, type LibraryResultRecord } from '../store/library';

export type { IterationRecord, LibraryOutcome, LibraryResultRecord } from '../store/library';

export interface LibraryDeps {
  prisma: PrismaClient;
  generatedDir: string;
}

/** Activities of library builds and autonomous runs: what was processed, and recording outcomes. */
export function createLibraryActivities(deps: LibraryDeps) {
  return {
    /** DOIs and arXiv ids of every paper some earlier run summarised and generated code for. */
    async processedPaperIds(): Promise<string[]> {
      return processedPaperIds(deps.prisma);
    },

    /** The code of a generated algorithm file (it must lie under the generated directory). */
    async readAlgorithmFile(input: { path: string }): Promise<{ code: string }> {
      const root = fs.realpathSync(deps.generatedDir);
      const file = fs.realpathSync(path.resolve(input.path));
      if (!file.startsWith(root + path.sep)) throw new PathSecurityError(`${input.path} is outside ${root}`);
      return { code: fs.readFileSync(file, 'utf8') };
    },

    /** Records a paper a library build tried, and — when accepted — the strategy as a library entry. */
    async recordLibraryResult(input: LibraryResultRecord): Promise<void> {
      await recordLibraryResult(deps.prisma, input);
    },

    /** Records one iteration of an autonomous run. */
    async recordAutonomousIteration(input: IterationRecord): Promise<void> {
      await recordAutonomousIteration(deps.prisma, input);
    },
  };
}
