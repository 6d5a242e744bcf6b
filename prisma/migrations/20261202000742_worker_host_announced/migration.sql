-- The status last announced on workerHostChanged: of several control planes, the one whose
-- conditional update moves it announces a transition (STALE and OFFLINE come from silence).
ALTER TABLE "WorkerHost" ADD COLUMN "announcedStatus" TEXT;
