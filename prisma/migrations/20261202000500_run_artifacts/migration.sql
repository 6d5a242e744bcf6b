-- Run artifacts: files under CYBER_BRAIN_LOGS/runs/<runId>/ (report and job outputs), metadata only.
-- CreateEnum
CREATE TYPE "RunArtifactType" AS ENUM ('REPORT_MARKDOWN', 'REPORT_JSON', 'JOB_RESULT', 'JOB_OUTPUT');

-- CreateTable
CREATE TABLE "RunArtifact" (
    "id" SERIAL NOT NULL,
    "runId" INTEGER NOT NULL,
    "jobId" INTEGER,
    "name" TEXT NOT NULL,
    "type" "RunArtifactType" NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "mimeType" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunArtifact_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RunArtifact_runId_name_key" ON "RunArtifact"("runId", "name");

-- CreateIndex
CREATE INDEX "RunArtifact_createdAt_idx" ON "RunArtifact"("createdAt");

-- AddForeignKey
ALTER TABLE "RunArtifact" ADD CONSTRAINT "RunArtifact_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
