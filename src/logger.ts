// Structured logs (pino). Every message and every string field passes through the redactor first.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Redactor } from './triage/redact.js';

export type { Logger };

export function createLogger(opts: { level: string; redactor: Redactor; destination?: DestinationStream }): Logger {
  const { redactor } = opts;
  return pino(
    {
      level: opts.level,
      base: { service: 'cyberbrain' },
      formatters: { log: (obj) => redactor.value(obj) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactor.text(a) : a)) as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err));
          return { type: e.name, message: redactor.text(e.message), stack: e.stack ? redactor.text(e.stack) : undefined };
        },
      },
    },
    opts.destination,
  );
}
