-- Worker agents as the control plane sees them through their heartbeats (DISPATCH=bullmq).
CREATE TABLE "WorkerHost" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "dockerVersion" TEXT,
    "capacity" INTEGER NOT NULL DEFAULT 0,
    "activeJobs" INTEGER NOT NULL DEFAULT 0,
    "lastHeartbeatAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WorkerHost_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "WorkerHost_name_key" ON "WorkerHost"("name");
