-- Notification channels for Slack, Discord and e-mail, two more rule events, and optional
-- schedule/directive filters. url is for the webhook kinds only (EMAIL has none), secret is the
-- WEBHOOK signing key or the SMTP password (Slack/Discord carry their token in the URL), settings
-- holds an EMAIL channel's non-secret SMTP fields.
ALTER TYPE "NotificationChannelKind" ADD VALUE 'SLACK';
ALTER TYPE "NotificationChannelKind" ADD VALUE 'DISCORD';
ALTER TYPE "NotificationChannelKind" ADD VALUE 'EMAIL';
ALTER TYPE "NotificationEvent" ADD VALUE 'NEW_GPU_HOTSPOTS';
ALTER TYPE "NotificationEvent" ADD VALUE 'NEW_PUBLISHED_PORTS';

ALTER TABLE "NotificationChannel" ALTER COLUMN "url" DROP NOT NULL;
ALTER TABLE "NotificationChannel" ALTER COLUMN "secret" DROP NOT NULL;
ALTER TABLE "NotificationChannel" ADD COLUMN "settings" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "NotificationChannel" ADD COLUMN "scheduleIds" INTEGER[] DEFAULT ARRAY[]::INTEGER[];
ALTER TABLE "NotificationChannel" ADD COLUMN "directiveIds" INTEGER[] DEFAULT ARRAY[]::INTEGER[];
