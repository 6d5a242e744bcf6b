-- Fleet routing for a schedule's runs (worker host names or a label selector), null: routing chooses
ALTER TABLE "Schedule" ADD COLUMN "hostRequest" JSONB;
