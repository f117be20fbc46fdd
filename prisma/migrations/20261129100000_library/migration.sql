-- CreateTable
CREATE TABLE "LibraryEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "library" TEXT NOT NULL,
    "buildId" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "childRunId" TEXT NOT NULL,
    "articleKey" TEXT NOT NULL,
    "paperKey" TEXT NOT NULL,
    "doi" TEXT,
    "arxivId" TEXT,
    "title" TEXT NOT NULL,
    "authors" TEXT NOT NULL,
    "year" INTEGER,
    "url" TEXT,
    "family" TEXT,
    "codeHash" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "algorithmPath" TEXT,
    "statistics" TEXT NOT NULL,
    "sharpeRatio" REAL,
    "drawdown" REAL,
    "annualReturn" REAL,
    "polishRunId" TEXT,
    "polishImproved" BOOLEAN NOT NULL DEFAULT false,
    "polishedCode" TEXT,
    "polishedStatistics" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "LibraryAttempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "library" TEXT NOT NULL,
    "buildId" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "childRunId" TEXT NOT NULL,
    "articleKey" TEXT NOT NULL,
    "paperKey" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "family" TEXT,
    "outcome" TEXT NOT NULL,
    "compiled" BOOLEAN NOT NULL,
    "repairAttempts" INTEGER NOT NULL DEFAULT 0,
    "sharpeRatio" REAL,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "AutonomousIteration" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "iteration" INTEGER NOT NULL,
    "query" TEXT NOT NULL,
    "childRunId" TEXT NOT NULL,
    "paperKey" TEXT,
    "title" TEXT,
    "family" TEXT,
    "compiled" BOOLEAN NOT NULL,
    "repairAttempts" INTEGER NOT NULL DEFAULT 0,
    "sharpeRatio" REAL,
    "accepted" BOOLEAN NOT NULL,
    "error" TEXT,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "LibraryEntry_library_category_idx" ON "LibraryEntry"("library", "category");

-- CreateIndex
CREATE INDEX "LibraryEntry_paperKey_idx" ON "LibraryEntry"("paperKey");

-- CreateIndex
CREATE UNIQUE INDEX "LibraryEntry_library_childRunId_articleKey_key" ON "LibraryEntry"("library", "childRunId", "articleKey");

-- CreateIndex
CREATE INDEX "LibraryAttempt_library_category_idx" ON "LibraryAttempt"("library", "category");

-- CreateIndex
CREATE UNIQUE INDEX "LibraryAttempt_library_childRunId_articleKey_key" ON "LibraryAttempt"("library", "childRunId", "articleKey");

-- CreateIndex
CREATE INDEX "AutonomousIteration_runId_idx" ON "AutonomousIteration"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "AutonomousIteration_runId_iteration_key" ON "AutonomousIteration"("runId", "iteration");

