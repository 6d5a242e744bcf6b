// The deployment id: one per database, created at the first start and shared by every instance on
// that database, so two databases on one Docker engine (or one Redis) never take each other's
// containers or events. DEPLOYMENT_ID overrides it.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db.js';

const KEY = 'deploymentId';

export async function deploymentId(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  // Insert-if-absent in one statement: instances starting together agree on the first id.
  const candidate = `d-${randomBytes(6).toString('hex')}`;
  await db.$executeRaw`INSERT INTO "Setting" ("key", "value") VALUES (${KEY}, ${candidate}) ON CONFLICT ("key") DO NOTHING`;
  return (await db.setting.findUniqueOrThrow({ where: { key: KEY } })).value;
}
