-- Fleet routing: the host a job runs on, a code for failures the orchestrator decides, allowlist
-- host scope, and each host's GPU inventory.
ALTER TABLE "Job" ADD COLUMN "hostName" TEXT;
ALTER TABLE "Job" ADD COLUMN "errorCode" TEXT;
ALTER TABLE "ContainerAllowlistEntry" ADD COLUMN "hosts" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "WorkerHost" ADD COLUMN "gpuCount" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "WorkerHost" ADD COLUMN "gpuModels" TEXT[] DEFAULT ARRAY[]::TEXT[];
CREATE INDEX "Job_hostName_status_idx" ON "Job"("hostName", "status");
