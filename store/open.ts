import type { PrismaClient } from '@prisma/client';
import type { Settings } from '../config/settings';
import { migrateLearningDatabase, openLearningDatabase, openLearningDatabaseReadOnly, type MigrationReport } from './database';
import { isPostgresUrl, migratePostgresLearningDatabase, openPostgresLearningDatabase, openPostgresLearningDatabaseReadOnly, redactUrl } from './postgres';

/** Where the learning store lives: PostgreSQL when a URL is configured, else the SQLite file in QUANTCODER_HOME. */
export interface LearningStoreLocation {
  /** `database.url` (QUANTCODER_DATABASE_URL): postgresql://… */
  url?: string;
  /** the SQLite file, used when no URL is set */
  file: string;
}

/** The learning store the settings select: QUANTCODER_DATABASE_URL when set, else $QUANTCODER_HOME/learning.db. */
export function learningStoreLocation(settings: Pick<Settings, 'config' | 'layout'>): LearningStoreLocation {
  return { url: settings.config.database.url, file: settings.layout.database };
}

/** Whether the store is PostgreSQL (narrowing `url`). */
export function isPostgresStore(location: LearningStoreLocation): location is LearningStoreLocation & { url: string } {
  return isPostgresUrl(location.url);
}

/** The store as messages name it: the SQLite file, or the PostgreSQL URL without its password. */
export function describeLearningStore(location: LearningStoreLocation): string {
  return isPostgresUrl(location.url) ? redactUrl(location.url) : location.file;
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

/**
 * Opens the learning store for reading only, without migrating it: `null` when there is nothing yet
 * (no SQLite file, or a PostgreSQL database no migration was applied to); a DatabaseError naming
 * `quantcoder db migrate` when it lags behind this version's migrations.
 */
export async function openLearningStoreReadOnly(location: LearningStoreLocation): Promise<PrismaClient | null> {
  return isPostgresUrl(location.url) ? openPostgresLearningDatabaseReadOnly(location.url) : openLearningDatabaseReadOnly(location.file);
}

/** Runs `read` on the learning store opened read-only, closing it after; `empty` when there is nothing yet. */
export async function readLearningStore<T>(location: LearningStoreLocation, empty: T, read: (prisma: PrismaClient) => Promise<T>): Promise<T> {
  const prisma = await openLearningStoreReadOnly(location);
  if (!prisma) return empty;
  try {
    return await read(prisma);
  } finally {
    await prisma.$disconnect();
  }
}
