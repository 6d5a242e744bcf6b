// In-process pubsub by default; through Redis when REDIS_URL is set so every instance sees
// every event. Redis Pub/Sub drops messages while disconnected: state lives in the database and
// subscriptions start from a snapshot, and after a reconnect every run stream re-reads the
// database (onResync), so a lost message never leaves a client wrong for long.
//
// The event target is ours rather than EventTarget / @graphql-yoga/redis-event-target because:
// - a throwing listener must not take the others (or, with EventTarget, the process) down;
// - a Redis command that fails (Redis down) must be logged, not become an unhandled rejection
//   that ends the process;
// - a run stream must know when its Redis SUBSCRIBE is acknowledged (ready()) before it reads
//   its snapshot, or a transition committed in between is never seen;
// - run streams listen with a plain callback (listenRun): no Repeater and promise per event per
//   subscriber, which is what fan-out to thousands of subscribers costs.
import { createPubSub, type PubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { RunEvent, Topics } from './topics.js';

export type EventBus = PubSub<Topics> & {
  /**
   * Calls `listener` synchronously with every event published for the run until the returned
   * function is called. For many subscribers this is much cheaper than subscribe().
   */
  listenRun(runId: number, listener: (event: RunEvent) => void): () => void;
  /** Resolves once every listener added so far receives events (with Redis: its SUBSCRIBE is acknowledged, or 2 s passed). */
  ready(): Promise<void>;
  /** Calls `listener` after the connection to Redis came back: events published meanwhile are lost. */
  onResync(listener: () => void): () => void;
  close(): Promise<void>;
};

export interface EventBusOptions {
  /** Where Redis and listener errors go; they never throw into publishers. Default: console.warn. */
  onError?: (err: unknown, what: string) => void;
  /** Longest wait in ready() for an unacknowledged SUBSCRIBE (Redis down). Default 2000 ms. */
  readyTimeoutMs?: number;
  /** Prepended to every Redis channel, so deployments sharing one Redis never hear each other. */
  channelPrefix?: string;
}

interface TargetEvent {
  type: string;
  detail: unknown;
}
type Callback = (event: TargetEvent) => void;
type CallbackOrObject = Callback | { handleEvent: Callback };

// Dates cross Redis as ISO strings; revive them so subscribers see the same shape either way.
const reviveDates = (_key: string, value: unknown) =>
  typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) ? new Date(value) : value;

const defaultOnError = (err: unknown, what: string) => console.warn(`[events] ${what}:`, err instanceof Error ? err.message : err);

/** Listener registry shared by both transports; delivery is synchronous, one listener's error stays its own. */
class Listeners {
  private byTopic = new Map<string, Set<Callback>>();
  constructor(protected readonly onError: (err: unknown, what: string) => void) {}

  /** Adds a listener; true when it is the topic's first. */
  protected add(topic: string, cb: Callback): boolean {
    let set = this.byTopic.get(topic);
    const first = set === undefined;
    if (!set) this.byTopic.set(topic, (set = new Set()));
    set.add(cb);
    return first;
  }

  /** Removes a listener; true when it was the topic's last. */
  protected remove(topic: string, cb: Callback): boolean {
    const set = this.byTopic.get(topic);
    if (!set?.delete(cb) || set.size > 0) return false;
    this.byTopic.delete(topic);
    return true;
  }

  protected has(topic: string) {
    return this.byTopic.has(topic);
  }

  protected topics() {
    return [...this.byTopic.keys()];
  }

  protected deliver(topic: string, detail: unknown) {
    const set = this.byTopic.get(topic);
    if (!set) return;
    const event: TargetEvent = { type: topic, detail };
    // A Set visits listeners added during the loop and skips ones removed before their turn.
    for (const cb of set) {
      try {
        cb(event);
      } catch (err) {
        this.onError(err, `listener for ${topic} failed`);
      }
    }
  }
}

interface Transport {
  addEventListener(topic: string, cb: CallbackOrObject | null): void;
  removeEventListener(topic: string, cb: CallbackOrObject | null): void;
  dispatchEvent(event: TargetEvent): boolean;
  ready(): Promise<void>;
  onResync(listener: () => void): () => void;
  close(): Promise<void>;
}

const callbackOf = (cb: CallbackOrObject): Callback => (typeof cb === 'function' ? cb : cb.handleEvent);

class LocalTransport extends Listeners implements Transport {
  addEventListener(topic: string, cb: CallbackOrObject | null) {
    if (cb) this.add(topic, callbackOf(cb));
  }
  removeEventListener(topic: string, cb: CallbackOrObject | null) {
    if (cb) this.remove(topic, callbackOf(cb));
  }
  dispatchEvent(event: TargetEvent) {
    this.deliver(event.type, event.detail);
    return true;
  }
  ready() {
    return Promise.resolve();
  }
  onResync() {
    return () => {};
  }
  async close() {}
}

/**
 * One publishing and one subscribing connection per process; one SUBSCRIBE per topic however many
 * local listeners it has. Published events come back through Redis to local listeners too, so
 * every instance sees one order per channel.
 *
 * SUBSCRIBE is only written while the subscriber connection is `ready`, and every (re)connection
 * subscribes every topic that has listeners (ioredis' autoResubscribe is off: we own that list).
 * ioredis (5.11) writes SUBSCRIBE as soon as the socket connects, before its INFO ready check;
 * the connection is then in subscriber mode, the check is refused ("Connection in subscriber
 * mode"), ioredis reconnects and forgets the channel, and a topic subscribed at start-up (the
 * notifier's and artifact keeper's `runs`) was never heard again.
 */
class RedisTransport extends Listeners implements Transport {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly pending = new Set<Promise<void>>();
  /** Settle ready() for topics whose SUBSCRIBE waits for the connection to be ready. */
  private waitingForReady: Array<() => void> = [];
  /** Topics left while not connected whose SUBSCRIBE may still be replayed (ioredis resends unanswered commands). */
  private readonly leftOffline = new Set<string>();
  private readonly resyncListeners = new Set<() => void>();
  private closed = false;

  constructor(url: string, onError: (err: unknown, what: string) => void, private readonly readyTimeoutMs: number, private readonly prefix: string) {
    // Commands still queued when close() disconnects fail on purpose: nothing to report then.
    super((err, what) => {
      if (!this.closed) onError(err, what);
    });
    this.pub = new Redis(url, { maxRetriesPerRequest: 3 });
    this.sub = new Redis(url, { autoResubscribe: false });
    this.pub.on('error', (err) => this.onError(err, 'redis (publish)'));
    this.sub.on('error', (err) => this.onError(err, 'redis (subscribe)'));
    this.sub.on('message', (channel: string, message: string) => {
      if (!channel.startsWith(this.prefix)) return;
      const topic = channel.slice(this.prefix.length);
      if (!this.has(topic)) return;
      let detail: unknown;
      try {
        detail = message === '' ? null : JSON.parse(message, reviveDates);
      } catch (err) {
        this.onError(err, `unreadable message on ${channel}`);
        return;
      }
      this.deliver(topic, detail);
    });
    // On every (re)connection, also the first one: SUBSCRIBE every topic with listeners (streams
    // may have been opened while Redis was unreachable or still connecting), then every stream
    // re-reads the database for what it missed.
    this.sub.on('ready', () => void this.resubscribe());
  }

  private async resubscribe() {
    const waiting = this.waitingForReady;
    this.waitingForReady = [];
    const stale = [...this.leftOffline].filter((t) => !this.has(t)).map((t) => this.prefix + t);
    this.leftOffline.clear();
    try {
      if (stale.length) await this.sub.unsubscribe(...stale);
      // Read after the await: a topic added or left meanwhile was (un)subscribed on its own.
      const channels = this.topics().map((t) => this.prefix + t);
      // PING when there is nothing to subscribe: it answers after anything ioredis replayed.
      await (channels.length ? this.sub.subscribe(...channels) : this.sub.ping());
    } catch (err) {
      this.onError(err, 'redis SUBSCRIBE after (re)connecting');
    } finally {
      for (const settle of waiting) settle();
    }
    for (const listener of this.resyncListeners) {
      try {
        listener();
      } catch (err) {
        this.onError(err, 'resync listener failed');
      }
    }
  }

  addEventListener(topic: string, cb: CallbackOrObject | null) {
    if (!cb || !this.add(topic, callbackOf(cb))) return;
    this.leftOffline.delete(topic);
    const done: Promise<void> =
      this.sub.status === 'ready'
        ? this.sub.subscribe(this.prefix + topic).then(
            () => undefined,
            (err: unknown) => this.onError(err, `redis SUBSCRIBE ${topic}`),
          )
        : new Promise<void>((resolve) => this.waitingForReady.push(resolve));
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  removeEventListener(topic: string, cb: CallbackOrObject | null) {
    if (!cb || !this.remove(topic, callbackOf(cb))) return;
    if (this.sub.status !== 'ready') {
      this.leftOffline.add(topic);
      return;
    }
    this.sub.unsubscribe(this.prefix + topic).catch((err: unknown) => this.onError(err, `redis UNSUBSCRIBE ${topic}`));
  }

  dispatchEvent(event: TargetEvent) {
    const message = event.detail === undefined ? '' : JSON.stringify(event.detail);
    this.pub.publish(this.prefix + event.type, message).catch((err: unknown) => this.onError(err, `redis PUBLISH ${event.type}`));
    return true;
  }

  async ready() {
    if (this.pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.pending), new Promise<void>((resolve) => (timer = setTimeout(resolve, this.readyTimeoutMs)))]);
    clearTimeout(timer);
  }

  onResync(listener: () => void) {
    this.resyncListeners.add(listener);
    return () => void this.resyncListeners.delete(listener);
  }

  async close() {
    this.closed = true;
    for (const settle of this.waitingForReady.splice(0)) settle();
    this.pub.disconnect();
    this.sub.disconnect();
  }
}

export function createEventBus(redisUrl?: string, opts: EventBusOptions = {}): EventBus {
  const onError = opts.onError ?? defaultOnError;
  const transport: Transport = redisUrl ? new RedisTransport(redisUrl, onError, opts.readyTimeoutMs ?? 2000, opts.channelPrefix ?? 'cyberbrain:') : new LocalTransport(onError);
  // createPubSub only calls add/removeEventListener and dispatchEvent with { type, detail } events.
  const bus = createPubSub<Topics>({ eventTarget: transport as never });
  return Object.assign(bus, {
    listenRun(runId: number, listener: (event: RunEvent) => void) {
      const topic = `run:${runId}`;
      const cb: Callback = (event) => listener(event.detail as RunEvent);
      transport.addEventListener(topic, cb);
      return () => transport.removeEventListener(topic, cb);
    },
    ready: () => transport.ready(),
    onResync: (listener: () => void) => transport.onResync(listener),
    close: () => transport.close(),
  });
}
