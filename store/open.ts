import type { PrismaClient } from '@prisma/client';
import { migrateLearningDatabase, openLearningDatabase, type MigrationReport } from './database';
import { isPostgresUrl, migratePostgresLearningDatabase, openPostgresLearningDatabase } from './postgres';

/** Where the learning store lives: PostgreSQL when a URL is configured, else the SQLite file in QUANTCODER_HOME. */
export interface LearningStoreLocation {
  /** `database.url` (QUANTCODER_DATABASE_URL): postgresql://… */
  url?: string;
  /** the SQLite file, used when no URL is set */
  file: string;
}

/** Applies pending migrations; safe with many processes starting at once on either database. */
export async function migrateLearningStore(location: LearningStoreLocation): Promise<MigrationReport> {
  return isPostgresUrl(location.url) ? migratePostgresLearningDatabase(location.url) : migrateLearningDatabase(location.file);
}

/** Migrates, then opens a Prisma client on the learning store. */
export async function openLearningStore(location: LearningStoreLocation): Promise<PrismaClient> {
  if (!isPostgresUrl(location.url)) {
    migrateLearningDatabase(location.file);
    return openLearningDatabase(location.file);
  }
  await migratePostgresLearningDatabase(location.url);
  return openPostgresLearningDatabase(location.url);
}
