-- The job spec of a log_triage job asks for the newest SUCCESS job of its task in another run
-- (src/services/last-success.ts): a backward scan of this index answers it at once, however
-- long the run history grows.
CREATE INDEX "Job_taskKey_status_runId_idx" ON "Job"("taskKey", "status", "runId");
