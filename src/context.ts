import type { ApiRole } from '@prisma/client';
import type { Db } from './db.js';
import type { Services } from './services/index.js';

/** Who is asking. With auth off (no tokens configured) everyone is a local admin. */
export interface Viewer {
  actor: string;
  role: ApiRole;
  tokenId: number | null;
}

export interface Context {
  db: Db;
  services: Services;
  viewer: Viewer;
}

// WORKER ranks below READ: a worker agent's token can do nothing in the API.
const RANK: Record<ApiRole, number> = { WORKER: 0, READ: 1, OPERATE: 2, ADMIN: 3 };
export const hasRole = (viewer: Viewer, role: ApiRole) => RANK[viewer.role] >= RANK[role];
