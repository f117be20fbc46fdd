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
    "articleKey" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "articleId" INTEGER,
    "codeHash" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "family" TEXT,
    "path" TEXT,
    "provider" TEXT,
    "model" TEXT,
    "compiled" BOOLEAN NOT NULL DEFAULT false,
    "problemKind" TEXT,
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
CREATE TABLE "FixApplication" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "fixId" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FixApplication_fixId_fkey" FOREIGN KEY ("fixId") REFERENCES "Fix" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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
CREATE TABLE "LlmCall" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "callKey" TEXT NOT NULL,
    "task" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "inputTokens" INTEGER NOT NULL,
    "outputTokens" INTEGER NOT NULL,
    "promptSha256" TEXT NOT NULL,
    "answerSha256" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Variant" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "runId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "generation" INTEGER NOT NULL,
    "island" INTEGER NOT NULL DEFAULT 0,
    "parents" TEXT NOT NULL,
    "mutation" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "fitness" REAL,
    "statistics" TEXT,
    "error" TEXT,
    "tokensIn" INTEGER NOT NULL DEFAULT 0,
    "tokensOut" INTEGER NOT NULL DEFAULT 0,
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
CREATE UNIQUE INDEX "Algorithm_runId_articleKey_attempt_key" ON "Algorithm"("runId", "articleKey", "attempt");

-- CreateIndex
CREATE INDEX "ErrorRecord_signature_idx" ON "ErrorRecord"("signature");

-- CreateIndex
CREATE INDEX "ErrorRecord_family_idx" ON "ErrorRecord"("family");

-- CreateIndex
CREATE UNIQUE INDEX "ErrorRecord_runId_step_key" ON "ErrorRecord"("runId", "step");

-- CreateIndex
CREATE INDEX "Fix_signature_idx" ON "Fix"("signature");

-- CreateIndex
CREATE UNIQUE INDEX "Fix_signature_diffHash_key" ON "Fix"("signature", "diffHash");

-- CreateIndex
CREATE UNIQUE INDEX "FixApplication_runId_step_key" ON "FixApplication"("runId", "step");

-- CreateIndex
CREATE INDEX "Backtest_codeHash_idx" ON "Backtest"("codeHash");

-- CreateIndex
CREATE INDEX "Backtest_family_idx" ON "Backtest"("family");

-- CreateIndex
CREATE UNIQUE INDEX "Backtest_runId_codeHash_key" ON "Backtest"("runId", "codeHash");

-- CreateIndex
CREATE INDEX "LlmCall_runId_idx" ON "LlmCall"("runId");

-- CreateIndex
CREATE UNIQUE INDEX "LlmCall_runId_callKey_key" ON "LlmCall"("runId", "callKey");

-- CreateIndex
CREATE INDEX "Variant_codeHash_idx" ON "Variant"("codeHash");

-- CreateIndex
CREATE INDEX "Variant_runId_generation_idx" ON "Variant"("runId", "generation");

-- CreateIndex
CREATE UNIQUE INDEX "Variant_runId_variantId_key" ON "Variant"("runId", "variantId");

