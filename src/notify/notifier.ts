// Notifications: when a run ends, one delivery per matching channel and event is queued in the
// database (a unique dedupe key, so every instance hearing the event queues it once between them);
// a delivery loop claims due deliveries with `FOR UPDATE SKIP LOCKED`, sends them (a signed
// WEBHOOK POST, a Slack or Discord incoming-webhook message, an e-mail over SMTP), and retries
// failures with bounded exponential backoff (a 429's Retry-After is honoured, within the bound).
// The delivery log (status, attempts, last error, HTTP status) stays queryable. Channel URLs,
// secrets and SMTP passwords are never logged or put in an error: they are redacted by value.
import type { NotificationChannel, NotificationDelivery, Prisma, Run } from '@prisma/client';
import { encodeGlobalID } from '../contracts/ids.js';
import type { SmtpSettings } from '../contracts/notifications.js';
import type { Db } from '../db.js';
import type { EventBus } from '../events/pubsub.js';
import { onRunEnded, type RunEndedListener } from '../events/run-ended.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../triage/redact.js';
import { channelWants, runChanges, runEvents } from './changes.js';
import { discordOf, emailOf, messageOf, slackOf, type NotificationPayload, type RunPayload } from './messages.js';
import { channelSecrets } from './secrets.js';
import { postJson, sendMail, SIGNATURE_HEADER, signBody, type Outcome } from './transports.js';

export { runEvents, SIGNATURE_HEADER, signBody };

export interface NotifierOptions {
  db: Db;
  events: EventBus;
  logger: Logger;
  redactor: Redactor;
  pollMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs?: number;
}

/** What a webhook receives: ids, status, the error and what changed (all redacted already), never LLM text. */
function runPayload(event: RunPayload['event'], run: Run): RunPayload {
  return {
    event,
    run: {
      id: encodeGlobalID('Run', run.id),
      status: run.status,
      tasks: run.tasks,
      error: run.error,
      endedAt: run.endedAt?.toISOString() ?? null,
      trigger: { kind: run.triggerKind, scheduleId: run.scheduleId != null ? encodeGlobalID('Schedule', run.scheduleId) : null },
    },
    ...runChanges(run.reportJson),
  };
}

/** The body a channel of this kind is sent, rendered from the stored (generic) payload. */
function render(channel: NotificationChannel, payload: NotificationPayload) {
  if (channel.kind === 'SLACK') return slackOf(messageOf(payload));
  if (channel.kind === 'DISCORD') return discordOf(messageOf(payload));
  return payload;
}

export function createNotifier(opts: NotifierOptions) {
  const { db, events, logger, pollMs, maxAttempts, retryBaseMs, retryMaxMs } = opts;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | null = null;
  let stopped = true;
  let listening: RunEndedListener | null = null;

  /** Queues the run's deliveries; safe to call from every instance (duplicates are dropped by the dedupe key). */
  async function enqueueRun(runId: number): Promise<number> {
    const run = await db.run.findUnique({ where: { id: runId } });
    if (!run || !run.endedAt) return 0;
    const happened = runEvents(run);
    // Filtered here: an enum-array `hasSome` is sent as a text literal the PGlite adapter cannot cast.
    const channels = await db.notificationChannel.findMany({ where: { enabled: true } });
    const data = channels.flatMap((c) =>
      channelWants(c, run, happened).map((event) => ({
        channelId: c.id,
        event,
        runId,
        dedupeKey: `${c.id}:${runId}:${event}`,
        // Redacted again on the way out: the report is redacted, but a payload is persisted and sent.
        payload: opts.redactor.value(runPayload(event, run)) as unknown as Prisma.InputJsonObject,
      })),
    );
    if (!data.length) return 0;
    const created = await db.notificationDelivery.createMany({ data, skipDuplicates: true });
    if (created.count) poke();
    return created.count;
  }

  const backoff = (attempts: number) => Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempts - 1));

  async function claimDue(now: Date) {
    return db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ id: number }>>`
        SELECT id FROM "NotificationDelivery" WHERE status = 'PENDING' AND "nextAttemptAt" <= ${now}
        ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED`;
      if (!rows.length) return [];
      const ids = rows.map((r) => r.id);
      // A lease: no other instance takes these while this one sends them.
      await tx.notificationDelivery.updateMany({ where: { id: { in: ids } }, data: { nextAttemptAt: new Date(now.getTime() + timeoutMs + 30_000) } });
      return tx.notificationDelivery.findMany({ where: { id: { in: ids } }, include: { channel: true } });
    });
  }

  /** One attempt over the channel's transport; the error is raw (masked by `send`). */
  async function attempt(d: NotificationDelivery & { channel: NotificationChannel }): Promise<Outcome> {
    const c = d.channel;
    const payload = d.payload as unknown as NotificationPayload;
    if (c.kind === 'EMAIL') return sendMail(c.settings as unknown as SmtpSettings, c.secret, emailOf(messageOf(payload)), timeoutMs);
    if (!c.url) return { error: 'channel has no url', httpStatus: null };
    const body = JSON.stringify(render(c, payload));
    const headers: Record<string, string> =
      c.kind === 'WEBHOOK' && c.secret ? { [SIGNATURE_HEADER]: signBody(c.secret, body), 'x-cyberbrain-delivery': encodeGlobalID('NotificationDelivery', d.id), 'x-cyberbrain-event': d.event } : {};
    return postJson(c.url, body, headers, timeoutMs);
  }

  async function send(d: NotificationDelivery & { channel: NotificationChannel }) {
    // The URL, secret and password are secrets too: nothing about them reaches the log or lastError.
    const redact = opts.redactor.withSecrets(channelSecrets(d.channel));
    const attempts = d.attempts + 1;
    const { error, httpStatus, retryAfterMs } = await attempt(d).catch((err: unknown): Outcome => ({ error: err instanceof Error ? err.message : 'send failed', httpStatus: null }));
    if (!error) {
      await db.notificationDelivery.update({ where: { id: d.id }, data: { status: 'DELIVERED', attempts, httpStatus, lastError: null, deliveredAt: new Date() } });
      return;
    }
    const lastError = redact.text(error);
    const done = attempts >= maxAttempts;
    // A 429 says when to come back; the bound (NOTIFY_RETRY_MAX_SECONDS) still holds.
    const delay = Math.min(retryMaxMs, Math.max(backoff(attempts), retryAfterMs ?? 0));
    await db.notificationDelivery.update({
      where: { id: d.id },
      data: { status: done ? 'FAILED' : 'PENDING', attempts, httpStatus, lastError, nextAttemptAt: new Date(Date.now() + delay) },
    });
    logger.warn({ deliveryId: d.id, channel: d.channel.name, attempts, httpStatus, error: lastError }, done ? 'notification failed for good' : 'notification failed; will retry');
  }

  async function deliverDue(now = new Date()) {
    for (const d of await claimDue(now)) await send(d);
  }

  function loop() {
    if (stopped) return;
    inFlight = deliverDue()
      .catch((err: unknown) => logger.warn({ err }, 'notification delivery pass failed'))
      .finally(() => {
        inFlight = null;
        if (!stopped) timer = setTimeout(loop, pollMs);
      });
  }
  /** Something was queued: deliver soon rather than at the next poll. */
  function poke() {
    if (stopped || inFlight) return;
    clearTimeout(timer);
    timer = setTimeout(loop, 0);
  }


  return {
    enqueueRun,
    deliverDue,
    start() {
      if (!stopped) return;
      stopped = false;
      listening = onRunEnded(events, logger, 'notifications not queued', enqueueRun);
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await listening?.stop();
      listening = null;
      await inFlight;
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
