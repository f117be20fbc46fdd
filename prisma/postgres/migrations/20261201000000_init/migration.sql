-- CreateTable
CREATE TABLE "Article" (
    "id" SERIAL NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Article_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Search" (
    "id" SERIAL NOT NULL,
    "workflowId" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Search_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SearchResult" (
    "searchId" INTEGER NOT NULL,
    "n" INTEGER NOT NULL,
    "articleId" INTEGER NOT NULL,

    CONSTRAINT "SearchResult_pkey" PRIMARY KEY ("searchId","n")
);

-- CreateTable
CREATE TABLE "Summary" (
    "id" SERIAL NOT NULL,
    "articleId" INTEGER NOT NULL,
    "runId" TEXT NOT NULL,
    "family" TEXT,
    "spec" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Summary_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Algorithm" (
    "id" SERIAL NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Algorithm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ErrorRecord" (
    "id" SERIAL NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ErrorRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Fix" (
    "id" SERIAL NOT NULL,
    "signature" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "diff" TEXT NOT NULL,
    "diffHash" TEXT NOT NULL,
    "successes" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "family" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Fix_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FixApplication" (
    "id" SERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "fixId" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FixApplication_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Backtest" (
    "id" SERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "family" TEXT,
    "projectId" INTEGER,
    "backtestId" TEXT,
    "startDate" TEXT,
    "endDate" TEXT,
    "statistics" TEXT,
    "sharpeRatio" DOUBLE PRECISION,
    "drawdown" DOUBLE PRECISION,
    "annualReturn" DOUBLE PRECISION,
    "netProfit" DOUBLE PRECISION,
    "winRate" DOUBLE PRECISION,
    "totalOrders" INTEGER,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Backtest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LlmCall" (
    "id" SERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "callKey" TEXT NOT NULL,
    "task" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "inputTokens" INTEGER NOT NULL,
    "outputTokens" INTEGER NOT NULL,
    "promptSha256" TEXT NOT NULL,
    "answerSha256" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LlmCall_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Variant" (
    "id" SERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "generation" INTEGER NOT NULL,
    "island" INTEGER NOT NULL DEFAULT 0,
    "parents" TEXT NOT NULL,
    "mutation" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "fitness" DOUBLE PRECISION,
    "statistics" TEXT,
    "error" TEXT,
    "tokensIn" INTEGER NOT NULL DEFAULT 0,
    "tokensOut" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Variant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LibraryEntry" (
    "id" SERIAL NOT NULL,
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
    "sharpeRatio" DOUBLE PRECISION,
    "drawdown" DOUBLE PRECISION,
    "annualReturn" DOUBLE PRECISION,
    "polishRunId" TEXT,
    "polishImproved" BOOLEAN NOT NULL DEFAULT false,
    "polishedCode" TEXT,
    "polishedStatistics" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LibraryEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LibraryAttempt" (
    "id" SERIAL NOT NULL,
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
    "sharpeRatio" DOUBLE PRECISION,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LibraryAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AutonomousIteration" (
    "id" SERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "iteration" INTEGER NOT NULL,
    "query" TEXT NOT NULL,
    "childRunId" TEXT NOT NULL,
    "paperKey" TEXT,
    "title" TEXT,
    "family" TEXT,
    "compiled" BOOLEAN NOT NULL,
    "repairAttempts" INTEGER NOT NULL DEFAULT 0,
    "sharpeRatio" DOUBLE PRECISION,
    "accepted" BOOLEAN NOT NULL,
    "error" TEXT,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AutonomousIteration_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "SearchResult" ADD CONSTRAINT "SearchResult_searchId_fkey" FOREIGN KEY ("searchId") REFERENCES "Search"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SearchResult" ADD CONSTRAINT "SearchResult_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Summary" ADD CONSTRAINT "Summary_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Algorithm" ADD CONSTRAINT "Algorithm_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FixApplication" ADD CONSTRAINT "FixApplication_fixId_fkey" FOREIGN KEY ("fixId") REFERENCES "Fix"("id") ON DELETE CASCADE ON UPDATE CASCADE;

