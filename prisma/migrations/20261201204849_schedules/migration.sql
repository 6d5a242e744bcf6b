-- Schedules (claimed with row locks, exactly once across instances), their ticks, and how each run started.
-- CreateEnum
CREATE TYPE "RunTriggerKind" AS ENUM ('MANUAL', 'SCHEDULE', 'API');

-- CreateEnum
CREATE TYPE "ScheduleKind" AS ENUM ('ONE_SHOT', 'INTERVAL', 'CRON');

-- CreateEnum
CREATE TYPE "ScheduleOverlapPolicy" AS ENUM ('SKIP', 'QUEUE', 'ALLOW');

-- CreateEnum
CREATE TYPE "ScheduleMissedTickPolicy" AS ENUM ('SKIP', 'RUN_ONCE');

-- CreateEnum
CREATE TYPE "ScheduleTickOutcome" AS ENUM ('LAUNCHING', 'LAUNCHED', 'SKIPPED', 'FAILED');

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "scheduleId" INTEGER,
ADD COLUMN     "scheduleTickId" INTEGER,
ADD COLUMN     "triggerKind" "RunTriggerKind" NOT NULL DEFAULT 'MANUAL',
ADD COLUMN     "triggerToken" TEXT;

-- CreateTable
CREATE TABLE "Schedule" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "directiveId" INTEGER,
    "customDirectiveText" TEXT,
    "tasks" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "taskConfig" JSONB NOT NULL DEFAULT '{}',
    "kind" "ScheduleKind" NOT NULL,
    "cronExpression" TEXT,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "intervalSeconds" INTEGER,
    "runAt" TIMESTAMP(3),
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "nextRunAt" TIMESTAMP(3),
    "lastRunAt" TIMESTAMP(3),
    "overlapPolicy" "ScheduleOverlapPolicy" NOT NULL DEFAULT 'SKIP',
    "missedTickPolicy" "ScheduleMissedTickPolicy" NOT NULL DEFAULT 'RUN_ONCE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Schedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScheduleTick" (
    "id" SERIAL NOT NULL,
    "scheduleId" INTEGER NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" "ScheduleTickOutcome" NOT NULL,
    "reason" TEXT,
    "runId" INTEGER,
    "manual" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "ScheduleTick_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Schedule_name_key" ON "Schedule"("name");

-- CreateIndex
CREATE INDEX "Schedule_enabled_nextRunAt_idx" ON "Schedule"("enabled", "nextRunAt");

-- CreateIndex
CREATE INDEX "ScheduleTick_outcome_createdAt_idx" ON "ScheduleTick"("outcome", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ScheduleTick_scheduleId_dueAt_key" ON "ScheduleTick"("scheduleId", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "Run_scheduleTickId_key" ON "Run"("scheduleTickId");

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "Schedule"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScheduleTick" ADD CONSTRAINT "ScheduleTick_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "Schedule"("id") ON DELETE CASCADE ON UPDATE CASCADE;

