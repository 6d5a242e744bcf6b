-- Fleet routing: what launchRun asked for (explicit host names, or a label selector), read when a
-- container job is routed at dispatch time.
ALTER TABLE "Run" ADD COLUMN "hostRequest" JSONB;
