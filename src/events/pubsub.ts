// In-process pubsub by default; through Redis when REDIS_URL is set so every instance sees
// every event. Redis Pub/Sub drops messages while disconnected: state lives in the database and
// subscriptions start from a snapshot, so a lost message never leaves a client wrong for long.
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Topics } from './topics.js';

export type EventBus = PubSub<Topics> & { close(): Promise<void> };

// Dates cross Redis as ISO strings; revive them so subscribers see the same shape either way.
const reviveDates = (_key: string, value: unknown) =>
  typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) ? new Date(value) : value;

export function createEventBus(redisUrl?: string): EventBus {
  if (!redisUrl) return Object.assign(createPubSub<Topics>(), { close: async () => {} });
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false });
  const eventTarget = createRedisEventTarget({
    publishClient,
    subscribeClient,
    serializer: { stringify: JSON.stringify, parse: (s: string) => JSON.parse(s, reviveDates) },
  });
  const bus = createPubSub<Topics>({ eventTarget: eventTarget as never });
  return Object.assign(bus, {
    close: async () => {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  });
}
