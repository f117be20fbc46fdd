-- AlterTable
ALTER TABLE "Backtest" ADD COLUMN     "sample" TEXT;

-- AlterTable
ALTER TABLE "LibraryEntry" ADD COLUMN     "holdoutEnd" TEXT,
ADD COLUMN     "holdoutStart" TEXT,
ADD COLUMN     "inSampleStart" TEXT,
ADD COLUMN     "outOfSampleSharpe" DOUBLE PRECISION,
ADD COLUMN     "outOfSampleStatistics" TEXT;

-- AlterTable
ALTER TABLE "LibraryAttempt" ADD COLUMN     "outOfSampleSharpe" DOUBLE PRECISION;

