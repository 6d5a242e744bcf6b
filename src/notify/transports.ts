// Sending one rendered notification: an HTTP POST of JSON (WEBHOOK signed with HMAC-SHA256, SLACK,
// DISCORD) or an e-mail over SMTP (nodemailer). Each answers an Outcome; errors are raw here and
// masked by the caller, which knows the channel's secrets.
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { SmtpSettings } from '../contracts/notifications.js';

export const SIGNATURE_HEADER = 'x-cyberbrain-signature';

/** `sha256=<hex>` of the exact body bytes, keyed with the channel's secret. */
export const signBody = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export interface Outcome {
  error: string | null;
  httpStatus: number | null;
  /** The receiver asked to wait this long (429 Retry-After). */
  retryAfterMs?: number;
}

/** Retry-After as seconds (Slack, Discord; may be fractional) or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<Outcome> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel();
      return { error: null, httpStatus: res.status };
    }
    // A short excerpt says why (Slack answers `invalid_token`, `no_service`, …); masked by the caller.
    const text = (await res.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
    const wait = res.status === 429 ? retryAfterMs(res.headers.get('retry-after')) : undefined;
    return { error: `HTTP ${res.status}${text ? `: ${text}` : ''}`, httpStatus: res.status, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.code ?? cause?.message ?? (err instanceof Error ? err.name : 'request failed'), httpStatus: null };
  }
}

export async function sendMail(smtp: SmtpSettings, password: string | null, mail: { subject: string; text: string; html: string }, timeoutMs: number): Promise<Outcome> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    // TLS from the first byte, STARTTLS required, or (loopback only, see the contract) plaintext.
    secure: smtp.security === 'TLS',
    requireTLS: smtp.security === 'STARTTLS',
    ignoreTLS: smtp.security === 'NONE',
    ...(smtp.user && password ? { auth: { user: smtp.user, pass: password } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({ from: smtp.from, to: smtp.to, subject: mail.subject, text: mail.text, html: mail.html, disableUrlAccess: true, disableFileAccess: true });
    return { error: null, httpStatus: null };
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; message?: string };
    return { error: `${e.code ?? 'SMTP'}${e.responseCode ? ` ${e.responseCode}` : ''}: ${(e.message ?? 'send failed').replace(/\s+/g, ' ').slice(0, 300)}`, httpStatus: null };
  } finally {
    transport.close();
  }
}
