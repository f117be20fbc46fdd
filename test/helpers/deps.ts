import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CrossrefClient } from '../../activities/crossref';
import type { ActivityDeps } from '../../activities';
import { openLearningDatabase } from '../../activities/learning/database';

/** Activity deps as the worker builds them, on a fresh learning database in a temp folder. */
export function testDeps(options: { crossrefUrl: string }): ActivityDeps & { home: string; cleanup(): Promise<void> } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-home-'));
  const prisma = openLearningDatabase(path.join(home, 'learning.db'));
  return {
    home,
    prisma,
    crossref: new CrossrefClient({ baseUrl: options.crossrefUrl, mailto: 'team@example.org', timeoutMs: 2000, userAgent: 'QuantCoder/test' }),
    async cleanup() {
      await prisma.$disconnect();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
