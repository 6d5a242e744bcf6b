-- Identity pinning of allowlisted containers, aggregated audit rows, and per-database settings
-- (the deployment id).
ALTER TABLE "ContainerAllowlistEntry" ADD COLUMN "pinnedContainerId" TEXT;

ALTER TABLE "AuditEvent" ADD COLUMN "count" INTEGER NOT NULL DEFAULT 1;

CREATE INDEX "AuditEvent_jobId_allowed_idx" ON "AuditEvent"("jobId", "allowed");

CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

ALTER TABLE "Job" ADD COLUMN "workerResult" JSONB;
