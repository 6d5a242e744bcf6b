// A local HTTP receiver standing in for webhook endpoints (a generic webhook, Slack's and
// Discord's incoming webhooks): records every request and answers what `answer` says (204 by default).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}
export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  base: string;
  received: ReceivedRequest[];
  /** What arrived on paths starting with `prefix`. */
  on(prefix: string): ReceivedRequest[];
  close(): Promise<void>;
}

export async function startReceiver(answer: (req: ReceivedRequest) => Answer = () => ({ status: 204 })): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, body };
      received.push(r);
      const a = answer(r);
      res.writeHead(a.status, a.headers).end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    on: (prefix) => received.filter((r) => r.path.startsWith(prefix)),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
