-- CreateTable
CREATE TABLE "Article" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "source" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "doi" TEXT,
    "arxivId" TEXT,
    "title" TEXT NOT NULL,
    "authors" TEXT NOT NULL,
    "year" INTEGER,
    "url" TEXT,
    "abstract" TEXT,
    "pdfPath" TEXT,
    "pdfSha256" TEXT,
    "textSha256" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Search" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workflowId" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SearchResult" (
    "searchId" INTEGER NOT NULL,
    "n" INTEGER NOT NULL,
    "articleId" INTEGER NOT NULL,

    PRIMARY KEY ("searchId", "n"),
    CONSTRAINT "SearchResult_searchId_fkey" FOREIGN KEY ("searchId") REFERENCES "Search" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SearchResult_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Summary" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "articleId" INTEGER NOT NULL,
    "runId" TEXT NOT NULL,
    "family" TEXT,
    "spec" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Summary_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Algorithm" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "articleId" INTEGER,
    "attempt" INTEGER NOT NULL,
    "codeHash" TEXT NOT NULL,
    "family" TEXT,
    "path" TEXT,
    "provider" TEXT,
    "model" TEXT,
    "compiled" BOOLEAN,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Algorithm_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ErrorRecord" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "family" TEXT,
    "provider" TEXT,
    "model" TEXT,
    "fixed" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Fix" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "signature" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "diff" TEXT NOT NULL,
    "diffHash" TEXT NOT NULL,
    "successes" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "family" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Backtest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "family" TEXT,
    "projectId" INTEGER,
    "backtestId" TEXT,
    "startDate" TEXT,
    "endDate" TEXT,
    "statistics" TEXT,
    "sharpeRatio" REAL,
    "drawdown" REAL,
    "annualReturn" REAL,
    "netProfit" REAL,
    "winRate" REAL,
    "totalOrders" INTEGER,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "TokenUsage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "callKey" TEXT NOT NULL,
    "task" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "inputTokens" INTEGER NOT NULL,
    "outputTokens" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "Article_source_externalId_key" ON "Article"("source", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Search_workflowId_key" ON "Search"("workflowId");

-- CreateIndex
CREATE INDEX "SearchResult_articleId_idx" ON "SearchResult"("articleId");

-- CreateIndex
CREATE UNIQUE INDEX "Summary_runId_articleId_key" ON "Summary"("runId", "articleId");

-- CreateIndex
CREATE INDEX "Algorithm_codeHash_idx" ON "Algorithm"("codeHash");

-- CreateIndex
CREATE UNIQUE INDEX "Algorithm_runId_attempt_key" ON "Algorithm"("runId", "attempt");

-- CreateIndex
CREATE INDEX "ErrorRecord_signature_idx" ON "ErrorRecord"("signature");

-- CreateIndex
CREATE UNIQUE INDEX "ErrorRecord_runId_step_key" ON "ErrorRecord"("runId", "step");

-- CreateIndex
CREATE UNIQUE INDEX "Fix_signature_diffHash_key" ON "Fix"("signature", "diffHash");

-- CreateIndex
CREATE INDEX "Backtest_codeHash_idx" ON "Backtest"("codeHash");

-- CreateIndex
CREATE INDEX "Backtest_family_idx" ON "Backtest"("family");

-- CreateIndex
CREATE UNIQUE INDEX "Backtest_runId_codeHash_key" ON "Backtest"("runId", "codeHash");

-- CreateIndex
CREATE INDEX "TokenUsage_runId_idx" ON "TokenUsage"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "TokenUsage_runId_callKey_key" ON "TokenUsage"("runId", "callKey");

