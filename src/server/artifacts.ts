// GET /artifacts/<run id>/<name>: one run artifact file, behind the same tokens as the API (READ or
// above; open when auth is off). Only names the writer produces are served, resolved inside the
// run's folder (see artifacts/files.ts); a bad path is refused before anything is looked up, and
// no answer names a path on disk.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Services } from '../services/index.js';

const PREFIX = '/artifacts/';

const answer = (status: number, error: string, headers: Record<string, string> = {}) => Response.json({ error }, { status, headers: { 'cache-control': 'no-store', ...headers } });

/** The two path segments, percent-decoded; null for anything else (more segments, bad escapes, NUL, separators). */
function segments(pathname: string): { runId: string; name: string } | null {
  const parts = pathname.slice(PREFIX.length).split('/');
  if (parts.length !== 2) return null;
  try {
    const [runId, name] = parts.map((p) => decodeURIComponent(p)) as [string, string];
    if ([runId, name].some((p) => p === '' || /[\0/\\]/.test(p))) return null;
    return { runId, name };
  } catch {
    return null;
  }
}

export function artifactRoute(services: Pick<Services, 'auth' | 'artifacts'>) {
  return async (request: Request, client: string): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, 'only GET and HEAD', { allow: 'GET, HEAD' });
    const outcome = await services.auth.authenticate(request.headers.get('authorization') ?? undefined, client);
    if (!outcome.ok) return answer(outcome.status, outcome.message, outcome.status === 401 ? { 'www-authenticate': 'Bearer' } : { 'retry-after': '60' });
    if (outcome.viewer.role === 'WORKER') return answer(403, 'a WORKER token can do nothing in the API');
    const wanted = segments(new URL(request.url).pathname);
    if (!wanted) return answer(400, 'expected /artifacts/<run id>/<artifact name>');
    const found = await services.artifacts.locate(wanted);
    if (!found.ok) {
      const error = found.errors[0]!;
      return answer(error.code === 'VALIDATION' ? 400 : 404, error.code === 'VALIDATION' ? 'not a valid run id or artifact name' : error.message);
    }
    const { artifact, path, sizeBytes } = found.value;
    const headers = {
      'content-type': artifact.mimeType,
      'content-length': String(sizeBytes),
      'content-disposition': `attachment; filename="run-${artifact.runId}-${artifact.name}"`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-cache',
      etag: `"${artifact.sha256}"`,
    };
    if (request.method === 'HEAD') return new Response(null, { headers });
    return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, { headers });
  };
}
