// The door for removing containers. Only worker containers of this deployment — labelled
// managed by us AND with this deployment's id — are ever removed; a container that merely
// carries one of our labels (anyone can set labels) is refused. Every decision is audited.
import type { ContainerInfo } from 'dockerode';
import type { AuditContext } from '../services/allowlist.js';
import type { ExecutorPolicy } from './policy.js';
import { isNotFound, withDeadline, type DockerClient } from './docker.js';

export const LABEL_RUN = 'cyberbrain.run';
export const LABEL_JOB = 'cyberbrain.job';
export const LABEL_MANAGED = 'cyberbrain.managed';
export const LABEL_DEPLOYMENT = 'cyberbrain.deployment';
/** The worker agent that created a container (fleet): a restarted agent removes what it left. */
export const LABEL_AGENT = 'cyberbrain.agent';

const CALL_MS = 15_000;

export interface Removable {
  Id: string;
  Labels: Record<string, string> | undefined;
}

/** How audit rows name a worker container (its random Docker name says nothing). */
export const workerTarget = (c: Removable) => `worker ${c.Id.slice(0, 12)}${c.Labels?.[LABEL_JOB] ? ` (job ${c.Labels[LABEL_JOB]})` : ''}`;

export function createReaper(docker: DockerClient, policy: Pick<ExecutorPolicy, 'audit' | 'auditDenied'>, deploymentId: string) {
  const isOurs = (labels: Record<string, string> | undefined) => labels?.[LABEL_MANAGED] === 'true' && labels[LABEL_DEPLOYMENT] === deploymentId;

  /** Labels for a worker container of this deployment. */
  const labelsFor = (runId: number, jobId: number) => ({ [LABEL_RUN]: String(runId), [LABEL_JOB]: String(jobId), [LABEL_MANAGED]: 'true', [LABEL_DEPLOYMENT]: deploymentId });

  /** This deployment's worker containers (any state), optionally narrowed by more label filters. */
  const listOurs = (extra: string[] = []): Promise<ContainerInfo[]> =>
    withDeadline(CALL_MS, 'list', (abortSignal) =>
      docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`, `${LABEL_DEPLOYMENT}=${deploymentId}`, ...extra] }, abortSignal }),
    );

  /** Every container carrying a label (e.g. `cyberbrain.run=7`), ours or not: callers pass them to remove(), which decides. */
  const listLabelled = (label: string): Promise<ContainerInfo[]> =>
    withDeadline(CALL_MS, 'list', (abortSignal) => docker.listContainers({ all: true, filters: { label: [label] }, abortSignal }));

  /** Force-removes one of our workers (audited with the reason); refuses and audits anything else. */
  async function remove(c: Removable, reason: string, ctx: AuditContext): Promise<boolean> {
    if (!isOurs(c.Labels)) {
      await policy.auditDenied(ctx, 'remove', [workerTarget(c)], 'not a worker container of this deployment');
      return false;
    }
    try {
      await withDeadline(CALL_MS, 'remove', () => docker.getContainer(c.Id).remove({ force: true, v: true }));
    } catch (err) {
      // 404: already gone; 409: a removal is already under way.
      if (!isNotFound(err) && (err as { statusCode?: number }).statusCode !== 409) throw err;
      return false;
    }
    await policy.audit(ctx, 'remove', workerTarget(c), true, reason);
    return true;
  }

  return { isOurs, labelsFor, listOurs, listLabelled, remove, deploymentId };
}

export type Reaper = ReturnType<typeof createReaper>;
