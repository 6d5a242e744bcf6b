// gpu_report: nvidia-smi (machine formats only) inside a worker from the allowlisted GPU image,
// parsed strictly, with compute processes attributed to allowlisted containers by host PID and
// hotspots flagged. No GPU, no driver or no nvidia-smi → SKIPPED with the reason.
import { buildGpuReport, renderGpuMarkdown } from '../gpu/attribution.js';
import { computeAppsArgs, GPU_QUERY_FIELDS, gpuQueryArgs, parseComputeApps, parseGpuQuery } from '../gpu/csv.js';
import { NotAllowedError } from '../executor/gateway.js';
import { ImageMissingError, type WorkerResult } from '../executor/worker.js';
import type { TaskContext, TaskOutcome, TaskRunner } from './types.js';

const skipped = (reason: string): TaskOutcome => ({
  status: 'SKIPPED',
  result: { summary: `GPU report skipped: ${reason}`, findings: [], markdown: `GPU report skipped: ${reason}`, reason },
});

const NO_BINARY = /executable file not found|no such file or directory|not found in \$PATH/i;
const NO_DRIVER = /couldn't communicate with the NVIDIA driver|NVIDIA-SMI has failed|no devices were found/i;

async function nvidiaSmi(ctx: TaskContext, image: string, args: string[]): Promise<WorkerResult | TaskOutcome> {
  try {
    const r = await ctx.runWorker({ image, cmd: ['nvidia-smi', ...args], gpu: true, env: stringEnv(ctx.config.env) });
    if (r.timedOut) return { status: 'FAILED', result: { summary: 'nvidia-smi timed out', findings: [], markdown: '' }, error: 'nvidia-smi did not finish before the job deadline and was killed' };
    if (r.exitCode === 9 || NO_DRIVER.test(r.stderr + r.stdout)) return skipped('no NVIDIA GPU or driver is available to the worker');
    if (r.exitCode === 127 || NO_BINARY.test(r.stderr)) return skipped(`nvidia-smi is not available in ${image}`);
    if (r.exitCode !== 0) return { status: 'FAILED', result: { summary: 'nvidia-smi failed', findings: [], markdown: '' }, error: `nvidia-smi exited with ${r.exitCode}: ${r.stderr.slice(0, 500)}`, exitCode: r.exitCode };
    return r;
  } catch (err) {
    if (err instanceof NotAllowedError) return skipped(`GPU reporting is not set up: ${image} is not an enabled worker image`);
    if (err instanceof ImageMissingError) return skipped(err.message);
    // The engine refuses to start a container whose command does not exist.
    if (err instanceof Error && NO_BINARY.test(err.message)) return skipped(`nvidia-smi is not available in ${image}`);
    throw err;
  }
}

/** Only string values reach a worker's environment (lets tests steer the nvidia-smi stand-in). */
function stringEnv(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== 'object') return undefined;
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export const gpuReport: TaskRunner = async (ctx) => {
  const image = typeof ctx.config.image === 'string' ? ctx.config.image : ctx.settings.gpu.workerImage;
  const threshold = typeof ctx.config.hotspotThresholdPct === 'number' ? ctx.config.hotspotThresholdPct : ctx.settings.gpu.hotspotThresholdPct;

  const gpuRun = await nvidiaSmi(ctx, image, gpuQueryArgs());
  if (!('stdout' in gpuRun)) return gpuRun;
  const appsRun = await nvidiaSmi(ctx, image, computeAppsArgs());
  if (!('stdout' in appsRun)) return appsRun;

  const { gpus, badRows: gpuBad } = parseGpuQuery(gpuRun.stdout, GPU_QUERY_FIELDS);
  const { apps, badRows: appBad } = parseComputeApps(appsRun.stdout);
  if (!gpus.length && !gpuBad.length) return skipped('nvidia-smi reported no GPUs');
  ctx.progress(`gpu_report: ${gpus.length} GPUs, ${apps.length} compute processes`);

  const { containers } = await ctx.gateway.resolve(Array.isArray(ctx.config.containers) ? ctx.config.containers.map(String) : undefined);
  const withPids = [];
  for (const c of containers) withPids.push({ name: c.name, id: c.id, hostPids: await ctx.gateway.hostPids(c) });

  const badRows = [...gpuBad.map((b) => ({ ...b, reason: `gpu query: ${b.reason}` })), ...appBad.map((b) => ({ ...b, reason: `compute apps: ${b.reason}` }))];
  const report = buildGpuReport({ gpus, apps, badRows, containers: withPids, hotspotThresholdPct: threshold });
  const findings = [
    ...report.gpus.filter((g) => g.hotspot).map((g) => `GPU ${g.sample.index} (${g.sample.name}) is a hotspot: ${g.hotspotReasons.join(' and ')} at or above ${threshold}%`),
    ...report.containers.filter((c) => c.totalMemoryMiB > 0).map((c) => `${c.name} uses ${c.totalMemoryMiB} MiB of GPU memory`),
    ...(report.unattributed.length ? [`${report.unattributed.length} GPU processes belong to no allowlisted container`] : []),
    ...(badRows.length ? [`${badRows.length} malformed nvidia-smi rows were ignored`] : []),
  ];
  return {
    status: 'SUCCESS',
    result: {
      summary: `${report.totals.gpuCount} GPUs, ${report.totals.hotspotCount} hotspots, ${report.totals.processCount} compute processes (${report.totals.attributedProcessCount} in allowlisted containers).`,
      findings,
      markdown: renderGpuMarkdown(report),
      report,
    },
  };
};
