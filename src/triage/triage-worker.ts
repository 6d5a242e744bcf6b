/** Worker side of `TriagePool`: triages a run of chunks and returns a snapshot. */
import { parentPort } from 'node:worker_threads';
import { ContainerTriage, type TriageOptions, type TriageSummary } from './pipeline.js';

export interface TriageJob {
  id: number;
  chunks: Uint8Array[];
  options: TriageOptions;
}

export interface TriageJobResult {
  id: number;
  snapshot?: TriageSummary;
  error?: string;
}

const port = parentPort;
if (port === null) throw new Error('triage-worker must run in a worker thread');

port.on('message', (job: TriageJob) => {
  let reply: TriageJobResult;
  try {
    const t = new ContainerTriage(job.options);
    for (const c of job.chunks) t.pushBytes(c);
    t.end();
    reply = { id: job.id, snapshot: t.snapshot() };
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  port.postMessage(reply);
});
