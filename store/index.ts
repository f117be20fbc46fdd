/** The learning database: explicit migrate, read-only open, and typed reads and writes (one row mapping each). */
export { assertSqliteFile, MIGRATIONS_DIR, migrateLearningDatabase, openLearningDatabase, openLearningDatabaseReadOnly, pendingMigrations, readLearningDatabase, type MigrationReport } from './database';
export { describeLearningStore, isPostgresStore, learningStoreLocation, migrateLearningStore, openLearningStore, openLearningStoreReadOnly, readLearningStore, type LearningStoreLocation } from './open';
export { isPostgresUrl, migratePostgresLearningDatabase, openPostgresLearningDatabase, pendingPostgresMigrations, POSTGRES_MIGRATIONS_DIR, redactUrl } from './postgres';
export { ensureArticle } from './articles';
export { learnedContext } from './knowledge';
export { countBacktests, findBacktestedCode, recordAttempt, recordBacktest, recordError, recordFixOutcome, type AttemptRecord } from './records';
export { articleForResult, recordSearch } from './searches';
export { readVariants, recordVariant, type VariantRow } from './variants';
export * from './library';
