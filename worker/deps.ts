import { CrossrefClient } from '../activities/crossref';
import type { ActivityDeps } from '../activities';
import { openLearningDatabase } from '../activities/learning/database';
import { packageVersion } from '../activities/package-root';
import { serviceEndpoints } from '../domain/services';
import type { Settings } from './settings';

export const USER_AGENT = `QuantCoder/${packageVersion()}`;

/** Builds the real clients every activity uses, from settings (never from process.env directly). */
export function buildActivityDeps(settings: Settings): ActivityDeps {
  const endpoints = serviceEndpoints(settings.config);
  return {
    prisma: openLearningDatabase(settings.layout.database),
    crossref: new CrossrefClient({ ...endpoints.crossref, userAgent: USER_AGENT }),
  };
}
