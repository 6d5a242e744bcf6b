-- Schedule.directiveId becomes a real foreign key. RESTRICT: a directive that a schedule launches
-- cannot be deleted (the API never deletes directives: it versions and deactivates them).
-- A schedule whose directive is already gone would launch the default directive instead once the
-- id is cleared: it is disabled as well, so nothing runs that its operator did not choose.
UPDATE "Schedule" SET "directiveId" = NULL, "enabled" = false, "nextRunAt" = NULL
WHERE "directiveId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Directive" d WHERE d."id" = "Schedule"."directiveId");

CREATE INDEX "Schedule_directiveId_idx" ON "Schedule"("directiveId");

ALTER TABLE "Schedule" ADD CONSTRAINT "Schedule_directiveId_fkey" FOREIGN KEY ("directiveId") REFERENCES "Directive"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
