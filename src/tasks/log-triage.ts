// log_triage: for each allowlisted container, the logs since the start of the last successful
// log_triage run (24 h when there is none), redacted first, classified by severity and mined
// into templates (the job's redactor also knows the containers' own env values). An optional OpenAI-compatible LLM flags templates from a fixed vocabulary —
// it sees only redacted aggregates, and only its model name and token counts are kept.
import { createLlmClient } from '../llm/client.js';
import { adviseOnTemplates, type AdvisorFlag } from '../llm/triage-advisor.js';
import { ContainerTriage, splitDockerTimestamp, TRIAGE_DEFAULTS } from '../triage/pipeline.js';
import { logTriageConfig } from '../contracts/task-config.js';
import { fingerprintOf, type TemplateFingerprint } from '../services/report-changes.js';
import { cell, type TaskContext, type TaskRunner } from './types.js';

/** Fingerprints kept per container for the next run's "what changed" (most frequent first). */
const MAX_FINGERPRINTS = 500;

const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

async function windowStart(ctx: TaskContext): Promise<{ since: Date; basis: string }> {
  if (typeof ctx.config.since === 'string' && !Number.isNaN(Date.parse(ctx.config.since))) return { since: new Date(ctx.config.since), basis: 'taskConfig.since' };
  if (typeof ctx.config.windowHours === 'number') return { since: new Date(Date.now() - ctx.config.windowHours * 3_600_000), basis: `last ${ctx.config.windowHours} h (taskConfig)` };
  const last = await ctx.lastSuccessStart();
  if (last) return { since: last, basis: 'start of the last successful log_triage run' };
  const hours = ctx.settings.logTriage.windowHours;
  return { since: new Date(Date.now() - hours * 3_600_000), basis: `last ${hours} h, no successful run yet` };
}

export const logTriage: TaskRunner = async (ctx) => {
  const { since, basis } = await windowStart(ctx);
  const maxLines = Math.min(num(ctx.config.maxLines, ctx.settings.logTriage.maxLines), ctx.settings.logTriage.maxLines);
  const topN = num(ctx.config.topTemplates, 10);
  const targets = Array.isArray(ctx.config.containers) ? ctx.config.containers.map(String) : undefined;
  const { containers, denied, missing } = await ctx.gateway.resolve(targets);
  // Containers echo their own env (passwords given to them) into their logs: redact those by value.
  const redactor = ctx.redactor.withSecrets(containers.flatMap((c) => ctx.gateway.secretEnvValues(c)));

  // checked at the boundary (contracts/task-config.ts); a config stored before that is checked again
  const checked = logTriageConfig.safeParse(ctx.config);
  const cfg = checked.success ? checked.data : {};
  const miner = {
    similarityThreshold: cfg.similarityThreshold ?? TRIAGE_DEFAULTS.similarityThreshold,
    depth: cfg.depth ?? TRIAGE_DEFAULTS.depth,
    ...(cfg.wordValues !== undefined ? { wordValues: cfg.wordValues } : {}),
  };
  const perContainer = [];
  const fingerprints: TemplateFingerprint[] = [];
  for (const c of containers) {
    if (ctx.signal.aborted) break;
    const { lines, capped } = await ctx.gateway.logs(c, { since, maxLines });
    const triage = new ContainerTriage({ ...(cfg.masks ? { masks: cfg.masks } : {}), ...miner, redactor });
    for (const raw of lines) {
      const { at, text } = splitDockerTimestamp(raw);
      triage.push(text, at);
    }
    const summary = triage.summary(topN);
    for (const t of triage.snapshot().templates.slice(0, MAX_FINGERPRINTS)) {
      const fp: TemplateFingerprint = { fp: fingerprintOf(t.template), container: c.name, severity: t.severity, template: t.template, count: t.count };
      if (t.firstSeen !== undefined) fp.firstSeen = t.firstSeen;
      if (t.lastSeen !== undefined) fp.lastSeen = t.lastSeen;
      fingerprints.push(fp);
    }
    perContainer.push({ container: c.name, state: c.state, capped, ...summary });
    ctx.progress(`log_triage: ${c.name}: ${summary.lines} lines, ${summary.bySeverity.error} errors, ${summary.templates.length} templates`);
  }

  let flags: AdvisorFlag[] = [];
  let llm: { model: string; ok: boolean; totalTokens: number | null } | null = null;
  const { baseUrl, model, apiKey, timeoutMs } = ctx.settings.llm;
  if (baseUrl && perContainer.some((c) => c.templates.length)) {
    const client = createLlmClient({ baseUrl, model, ...(apiKey ? { apiKey } : {}), timeoutMs });
    const advice = await adviseOnTemplates(client, {
      containers: perContainer.map((c) => ({ container: c.container, templates: c.templates.map((t) => ({ id: t.id, template: t.template, count: t.count, severity: t.severity })) })),
    });
    if (advice.call) {
      await ctx.recordLlmCall(advice.call);
      llm = { model: advice.call.model, ok: advice.call.ok, totalTokens: advice.call.totalTokens };
    }
    flags = advice.flags;
  }

  const flagFor = (container: string, id: number) => flags.find((f) => f.container === container && f.templateId === id);
  const totals = perContainer.reduce(
    (t, c) => ({ lines: t.lines + c.lines, error: t.error + c.bySeverity.error, warn: t.warn + c.bySeverity.warn }),
    { lines: 0, error: 0, warn: 0 },
  );
  const findings: string[] = [];
  if (!checked.success) findings.push(`taskConfig.log_triage.masks ignored: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  for (const c of perContainer) {
    for (const tpl of c.templates.filter((x) => x.severity === 'error').slice(0, 3)) findings.push(`${c.container}: ${tpl.count}× ${tpl.template}`);
    // the most frequent warnings too: a flood of them (failed logins) is the story of a log with few errors
    for (const tpl of c.templates.filter((x) => x.severity === 'warn').slice(0, 2)) findings.push(`${c.container}: ${tpl.count}× ${tpl.template} (warning)`);
    if (c.capped) findings.push(`${c.container}: more than ${maxLines} lines in the window; only the newest ${maxLines} were triaged`);
  }
  for (const f of flags.filter((x) => x.priority === 'high')) {
    const tpl = perContainer.find((c) => c.container === f.container)?.templates.find((x) => x.id === f.templateId);
    if (tpl) findings.push(`LLM flagged (${f.category}, high) in ${f.container}: ${tpl.template}`);
  }
  if (!containers.length && !denied.length && !missing.length) findings.push('no container is allowlisted: add entries with upsertAllowlistEntry');
  findings.push(...missing.map((m) => `allowlisted container ${m} does not exist on this host`), ...denied.map((d) => `${d} is not an enabled allowlist entry: refused`));

  const md: string[] = [`Window: since ${since.toISOString()} (${basis}). ${perContainer.length} containers, ${totals.lines} lines, ${totals.error} errors, ${totals.warn} warnings.`];
  if (llm) md.push(`LLM triage by \`${llm.model}\`: ${llm.ok ? `${flags.length} templates flagged, ${llm.totalTokens ?? 0} tokens` : 'call failed (no summary)'}.`);
  for (const c of perContainer) {
    md.push('', `### ${c.container}`, '', `${c.lines} lines (error ${c.bySeverity.error}, warn ${c.bySeverity.warn}, info ${c.bySeverity.info}, debug ${c.bySeverity.debug}, unknown ${c.bySeverity.unknown}); first ${c.firstSeen ?? '—'}, last ${c.lastSeen ?? '—'}.`);
    if (!c.templates.length) continue;
    // the header's component and level as written (`sshd`, `notice`), when the stream has them
    md.push('', '| # | Count | Severity | Level | Component | Template | Example | Flag |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const t of c.templates) {
      const f = flagFor(c.container, t.id);
      md.push(`| ${t.id} | ${t.count} | ${t.severity} | ${cell(t.level ?? '')} | ${cell(t.component ?? '')} | \`${cell(t.template)}\` | ${cell(t.example)} | ${f ? `${f.category}/${f.priority}` : ''} |`);
    }
  }
  return {
    status: 'SUCCESS',
    result: redactor.value({
      summary: `Triaged ${totals.lines} log lines from ${perContainer.length} allowlisted containers: ${totals.error} errors, ${totals.warn} warnings.`,
      findings,
      markdown: md.join('\n'),
      // Compared with the next run's in its report (services/report-changes.ts).
      fingerprints: { since: since.toISOString(), until: new Date().toISOString(), rateRiseFactor: num(ctx.config.rateRiseFactor, 2), templates: fingerprints },
      window: { since: since.toISOString(), basis },
      containers: perContainer,
      llm: llm ? { ...llm, flags } : null,
      missing,
      denied,
    }),
  };
};
