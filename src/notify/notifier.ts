// Notifications: when a run ends, one delivery per matching channel and event is queued in the
// database (a unique dedupe key, so every instance hearing the event queues it once between them);
// a delivery loop claims due deliveries with `FOR UPDATE SKIP LOCKED`, POSTs them with an
// HMAC-SHA256 signature, and retries failures with bounded exponential backoff. The delivery log
// (status, attempts, last error, HTTP status) stays queryable. Channel URLs and secrets are never
// logged or put in an error: both are redacted by value.
import { createHmac } from 'node:crypto';
import type { NotificationChannel, NotificationDelivery, NotificationEvent, Prisma, Run } from '@prisma/client';
import { encodeGlobalID } from '../contracts/ids.js';
import type { Db } from '../db.js';
import type { EventBus } from '../events/pubsub.js';
import type { Logger } from '../logger.js';
import type { Redactor } from '../triage/redact.js';

export const SIGNATURE_HEADER = 'x-cyberbrain-signature';

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

/** `sha256=<hex>` of the exact body bytes, keyed with the channel's secret. */
export const signBody = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** The events a finished run stands for. */
export function runEvents(run: Pick<Run, 'status' | 'reportJson'>): NotificationEvent[] {
  const out: NotificationEvent[] = ['RUN_ENDED'];
  if (run.status === 'FAILED') out.push('RUN_FAILED');
  if (run.status === 'PARTIAL') out.push('RUN_PARTIAL');
  if (newErrorTemplates(run).length) out.push('NEW_ERROR_TEMPLATES');
  return out;
}

function newErrorTemplates(run: Pick<Run, 'reportJson'>): Array<{ container: string; template: string; count: number }> {
  const changes = (run.reportJson as { changes?: { new?: Array<{ container: string; template: string; count: number; severity: string }> } | null } | null)?.changes;
  return (changes?.new ?? []).filter((t) => t.severity === 'error').map(({ container, template, count }) => ({ container, template, count }));
}

/** What a webhook receives: ids, status, the error and new error templates (all redacted already), never LLM text. */
function runPayload(event: NotificationEvent, run: Run) {
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
    newErrorTemplates: newErrorTemplates(run),
  };
}

export function createNotifier(opts: NotifierOptions) {
  const { db, events, logger, pollMs, maxAttempts, retryBaseMs, retryMaxMs } = opts;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | null = null;
  let stopped = true;
  let listening: AsyncIterator<unknown> | null = null;

  /** Queues the run's deliveries; safe to call from every instance (duplicates are dropped by the dedupe key). */
  async function enqueueRun(runId: number): Promise<number> {
    const run = await db.run.findUnique({ where: { id: runId } });
    if (!run || !run.endedAt) return 0;
    const happened = runEvents(run);
    // Filtered here: an enum-array `hasSome` is sent as a text literal the PGlite adapter cannot cast.
    const channels = (await db.notificationChannel.findMany({ where: { enabled: true } })).filter((c) => c.events.some((e) => happened.includes(e)));
    const data = channels.flatMap((c) =>
      happened
        .filter((e) => c.events.includes(e))
        .map((event) => ({ channelId: c.id, event, runId, dedupeKey: `${c.id}:${runId}:${event}`, payload: runPayload(event, run) as unknown as Prisma.InputJsonObject })),
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

  async function send(d: NotificationDelivery & { channel: NotificationChannel }) {
    const body = JSON.stringify(d.payload);
    // The URL and secret are secrets too: nothing about them reaches the log or lastError.
    const redact = opts.redactor.withSecrets([d.channel.url, d.channel.secret, new URL(d.channel.url).search.slice(1)].filter((s) => s.length >= 4));
    const attempts = d.attempts + 1;
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.channel.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(d.channel.secret, body), 'x-cyberbrain-delivery': encodeGlobalID('NotificationDelivery', d.id), 'x-cyberbrain-event': d.event },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      httpStatus = res.status;
      await res.body?.cancel();
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      error = cause?.code ?? cause?.message ?? (err instanceof Error ? err.name : 'request failed');
    }
    if (!error) {
      await db.notificationDelivery.update({ where: { id: d.id }, data: { status: 'DELIVERED', attempts, httpStatus, lastError: null, deliveredAt: new Date() } });
      return;
    }
    const lastError = redact.text(error);
    const done = attempts >= maxAttempts;
    await db.notificationDelivery.update({
      where: { id: d.id },
      data: { status: done ? 'FAILED' : 'PENDING', attempts, httpStatus, lastError, nextAttemptAt: new Date(Date.now() + backoff(attempts)) },
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

  async function listen() {
    const it = events.subscribe('runs')[Symbol.asyncIterator]();
    listening = it;
    for (;;) {
      const next = await it.next();
      if (next.done || stopped) return;
      const ev = next.value;
      if (!['SUCCESS', 'FAILED', 'PARTIAL', 'CANCELLED'].includes(ev.status)) continue;
      await enqueueRun(ev.runId).catch((err: unknown) => logger.warn({ err, runId: ev.runId }, 'notifications not queued'));
    }
  }

  return {
    enqueueRun,
    deliverDue,
    start() {
      if (!stopped) return;
      stopped = false;
      void listen().catch((err: unknown) => logger.warn({ err }, 'notification listener ended'));
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await listening?.return?.();
      listening = null;
      await inFlight;
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
