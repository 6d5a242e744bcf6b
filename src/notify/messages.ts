// What a notification says, once, and its renderings: the generic webhook JSON is the stored
// payload itself; Slack (`text` + Block Kit `blocks`, mrkdwn), Discord (`content` + `embeds`, within
// Discord's limits) and e-mail (subject, text and HTML) are rendered from it when sent. "What
// changed" comes first. Everything here is already redacted and holds no LLM text; renderings add
// no links, and escape what each format would otherwise interpret (Slack's `<!channel>`, Discord's
// `@everyone`, HTML).
import type { NotificationEvent } from '@prisma/client';
import { decodeId } from '../contracts/ids.js';
import type { RunChanges } from './changes.js';

export interface RunPayload extends RunChanges {
  event: NotificationEvent;
  run: { id: string; status: string; tasks: string[]; error: string | null; endedAt: string | null; trigger: { kind: string; scheduleId: string | null } };
}
export interface TestPayload {
  event: 'TEST';
  channel: string;
  at: string;
}
export type NotificationPayload = RunPayload | TestPayload;

interface Item {
  subject: string;
  /** Shown as code (a template, a port mapping). */
  code: string;
  note?: string;
}
export interface Message {
  title: string;
  summary: string;
  sections: Array<{ heading: string; items: Item[] }>;
  facts: Array<[string, string]>;
}

const MAX_ITEMS = 20;
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
export const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`);

function isTest(p: NotificationPayload): p is TestPayload {
  return p.event === 'TEST';
}

export function messageOf(p: NotificationPayload): Message {
  if (isTest(p)) return { title: 'Test message from cyberbrain', summary: `Test message for channel "${p.channel}" (${p.at}).`, sections: [], facts: [] };
  const runNo = decodeId('Run', p.run.id);
  const title = `Run #${runNo ?? p.run.id} ${p.run.status}`;
  const news = [
    p.newErrorTemplates.length ? plural(p.newErrorTemplates.length, 'NEW error template') : '',
    p.newGpuHotspots.length ? plural(p.newGpuHotspots.length, 'NEW GPU hotspot') : '',
    p.newPublishedPorts.length ? plural(p.newPublishedPorts.length, 'NEW published port') : '',
  ].filter(Boolean);
  const on = (host?: string) => (host ? ` on ${host}` : '');
  const sections: Message['sections'] = [
    { heading: 'NEW error templates', items: p.newErrorTemplates.map((t) => ({ subject: t.container, code: t.template, note: `${t.count}×` })) },
    { heading: 'NEW GPU hotspots', items: p.newGpuHotspots.map((h) => ({ subject: `GPU ${h.gpu}${on(h.host)}`, code: h.reason, ...(h.container ? { note: h.container } : {}) })) },
    {
      heading: 'NEW published ports',
      items: p.newPublishedPorts.map((x) => ({ subject: `${x.container}${on(x.host)}`, code: `${x.hostIp ? `${x.hostIp}:` : ''}${x.hostPort} -> ${x.containerPort}/${x.protocol}` })),
    },
  ].filter((s) => s.items.length);
  const facts: Message['facts'] = [
    ['Status', p.run.status],
    ['Event', p.event],
    ['Tasks', p.run.tasks.join(', ')],
    ['Trigger', p.run.trigger.kind],
    ...(p.run.error ? ([['Error', p.run.error]] as Array<[string, string]>) : []),
    ...(p.run.endedAt ? ([['Ended', p.run.endedAt]] as Array<[string, string]>) : []),
    ['Run id', p.run.id],
  ];
  return { title, summary: `${title}${news.length ? ` — ${news.join(', ')}` : ''}`, sections, facts };
}

const shown = (items: Item[]) => [...items.slice(0, MAX_ITEMS), ...(items.length > MAX_ITEMS ? [null] : [])];
const more = (items: Item[]) => `… and ${items.length - MAX_ITEMS} more`;

/** Plain text, "what changed" first (the e-mail's text part). */
export function textOf(m: Message): string {
  const lines = [m.summary, ''];
  for (const s of m.sections) {
    lines.push(`${s.heading}:`, ...shown(s.items).map((i) => (i ? `  - ${i.subject}: ${i.code}${i.note ? ` (${i.note})` : ''}` : `  ${more(s.items)}`)), '');
  }
  for (const [k, v] of m.facts) lines.push(`${k}: ${v}`);
  return lines.join('\n');
}

const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** The e-mail's HTML part: the same content, escaped, no links, no remote resources. */
export function htmlOf(m: Message): string {
  const parts = [`<h2>${html(m.title)}</h2>`, `<p>${html(m.summary)}</p>`];
  for (const s of m.sections) {
    const li = shown(s.items).map((i) => (i ? `<li>${html(i.subject)}: <code>${html(i.code)}</code>${i.note ? ` (${html(i.note)})` : ''}</li>` : `<li>${html(more(s.items))}</li>`));
    parts.push(`<h3>${html(s.heading)}</h3>`, `<ul>${li.join('')}</ul>`);
  }
  if (m.facts.length) parts.push(`<table>${m.facts.map(([k, v]) => `<tr><th align="left">${html(k)}</th><td>${html(v)}</td></tr>`).join('')}</table>`);
  return `<!doctype html><html><body>${parts.join('\n')}</body></html>`;
}

export function emailOf(m: Message): { subject: string; text: string; html: string } {
  // One line, no header injection: CR/LF never reach the subject.
  return { subject: clip(`[cyberbrain] ${m.summary}`.replace(/[\r\n]+/g, ' '), 250), text: textOf(m), html: htmlOf(m) };
}

// Slack: mrkdwn escapes &, < and > (which would otherwise make links and @-mentions); a code span
// cannot hold a backtick. Limits: section text 3000, header 150, 50 blocks.
const slackEsc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const slackCode = (s: string) => `\`${slackEsc(s.replace(/`/g, "'"))}\``;
export function slackOf(m: Message) {
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: clip(m.title, 150) } }];
  if (m.summary !== m.title) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(slackEsc(m.summary), 3000) } });
  for (const s of m.sections) {
    const rows = shown(s.items).map((i) => (i ? `• ${slackEsc(i.subject)}: ${slackCode(clip(i.code, 500))}${i.note ? ` (${slackEsc(i.note)})` : ''}` : `• ${more(s.items)}`));
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*${s.heading}*\n${rows.join('\n')}`, 3000) } });
  }
  if (m.facts.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(m.facts.map(([k, v]) => `*${k}:* ${slackEsc(v)}`).join('\n'), 3000) } });
  return { text: clip(slackEsc(m.summary), 3000), blocks: blocks.slice(0, 50) };
}

// Discord: content ≤ 2000, ≤ 10 embeds, title ≤ 256, description ≤ 4096, field value ≤ 1024 and
// all embeds together ≤ 6000 characters; mentions are switched off whatever the text says.
export const DISCORD_LIMITS = { content: 2000, embeds: 10, title: 256, description: 4096, fieldName: 256, fieldValue: 1024, fields: 25, total: 6000 } as const;
const discordCode = (s: string) => `\`${s.replace(/`/g, "'")}\``;
export function discordOf(m: Message) {
  const L = DISCORD_LIMITS;
  let budget = L.total;
  const take = (s: string, max: number) => {
    const out = clip(s, Math.min(max, Math.max(0, budget)));
    budget -= out.length;
    return out;
  };
  const embeds: Array<Record<string, unknown>> = [];
  for (const s of m.sections.slice(0, L.embeds - 1)) {
    if (budget < 100) break;
    const title = take(s.heading, L.title);
    const rows = shown(s.items).map((i) => (i ? `• ${i.subject}: ${discordCode(clip(i.code, 500))}${i.note ? ` (${i.note})` : ''}` : `• ${more(s.items)}`));
    embeds.push({ title, description: take(rows.join('\n'), L.description), color: 0xe74c3c });
  }
  if (m.facts.length && budget >= 100) {
    const fields = m.facts.slice(0, L.fields).map(([k, v]) => ({ name: take(k, L.fieldName), value: take(v || '—', L.fieldValue), inline: k !== 'Error' }));
    embeds.push({ title: take(m.title, L.title), fields });
  }
  return { content: clip(m.summary, L.content), embeds, allowed_mentions: { parse: [] } };
}
