// OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, one trace follows a launch from the GraphQL
// request (continuing the caller's W3C traceparent) through the run service to the Docker API
// calls of its job. The collector is a stand-in process-local HTTP server receiving OTLP/JSON.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { BUSYBOX, uniquePrefix } from '../../support/docker.js';
import { LaunchRun, UpsertContainerTask, UpsertWorkerImage } from '../../support/operations.js';
import { waitForRun } from '../../support/runs.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}
interface OtlpExport {
  resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
}

const exports: OtlpExport[] = [];
let collector: Server;
let endpoint: string;
const prefix = uniquePrefix();

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.startsWith('application/json')) exports.push(JSON.parse(body) as OtlpExport);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => collector.close(r));
});

const spans = () => exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));

describe('OpenTelemetry traces', () => {
  let t: TestApp;
  it('span the request, the run service and the Docker calls of the job, continuing the caller’s trace', async () => {
    t = await startTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, MAX_CONCURRENT_JOBS: '1' });
    let closed = false;
    try {
      await t.gql(UpsertWorkerImage, { input: { image: BUSYBOX } });
      const key = `${prefix.replace(/-/g, '_')}_traced`;
      expect((await t.gql(UpsertContainerTask, { input: { key, name: 'Traced', image: BUSYBOX, command: ['echo', 'traced'] } })).data?.upsertContainerTask.errors).toEqual([]);

      const traceId = randomBytes(16).toString('hex');
      const callerSpan = randomBytes(8).toString('hex');
      const res = await t.app.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
        body: JSON.stringify({ query: print(LaunchRun), variables: { input: { tasks: [key] } } }),
      });
      const runId = ((await res.json()) as { data: { launchRun: { run: { id: string } } } }).data.launchRun.run.id;
      expect((await waitForRun(t, runId)).status).toBe('SUCCESS');
      await t.close(); // flushes the exporter
      closed = true;

      const inTrace = spans().filter((s) => s.traceId === traceId);
      const request = inTrace.find((s) => s.name === 'graphql.mutation LaunchRun');
      expect(request?.parentSpanId).toBe(callerSpan);
      const service = inTrace.find((s) => s.name === 'service runs.launchRun');
      expect(service?.parentSpanId).toBe(request!.spanId);
      const names = inTrace.map((s) => s.name);
      expect(names).toContain('docker POST /containers/create');
      expect(names.some((n) => /^docker POST \/containers\/\{id\}\/start$/.test(n) || /^docker POST \/containers\/[^/]+\/start$/.test(n))).toBe(true);
      expect(names).toContain('service runs.finishJob');
      const resource = exports[0]!.resourceSpans[0]!.resource.attributes;
      expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'cyberbrain-orchestrator' } });
    } finally {
      if (!closed) await t.close();
    }
  });
});
