-- AlterTable
ALTER TABLE "Backtest" ADD COLUMN "sample" TEXT;

-- AlterTable
ALTER TABLE "LibraryEntry" ADD COLUMN "holdoutEnd" TEXT;
ALTER TABLE "LibraryEntry" ADD COLUMN "holdoutStart" TEXT;
ALTER TABLE "LibraryEntry" ADD COLUMN "inSampleStart" TEXT;
ALTER TABLE "LibraryEntry" ADD COLUMN "outOfSampleSharpe" REAL;
ALTER TABLE "LibraryEntry" ADD COLUMN "outOfSampleStatistics" TEXT;

-- AlterTable
ALTER TABLE "LibraryAttempt" ADD COLUMN "outOfSampleSharpe" REAL;

