-- Admin switches for a worker host: disabled (takes no jobs) and draining (finishes, takes no new ones).
ALTER TABLE "WorkerHost" ADD COLUMN "enabled" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "WorkerHost" ADD COLUMN "draining" BOOLEAN NOT NULL DEFAULT false;
