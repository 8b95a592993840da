import { randomUUID } from 'node:crypto'
import { debuglog } from 'node:util'
import type { Redis } from 'ioredis'
import type { BusMessage, InvalidationBus } from './bus.js'
import type { RedisBackend } from './redis.js'
import { clusterSubscriber } from './redis-cluster-subscriber.js'
import { isCluster } from './redis-connection.js'

const debug = debuglog('cachekit')

/**
 * The invalidation bus of one RedisBackend: Redis pub/sub on the channel `{keyPrefix}ck:bus`,
 * published on the backend's own connection (fire and forget: a failed publish is only logged under
 * NODE_DEBUG, a call never waits for it) and received on a subscriber connection of its own.
 *
 * Pub/sub drops what is sent while a subscriber is disconnected. So the bus is `trusted` only while
 * its subscription is live: from the moment the subscriber connection closes until it has
 * subscribed again, caches neither read nor fill their L1 (every call goes to L2), and when trust
 * comes back they drop every L1 entry first, since any of them may have changed meanwhile.
 */
export class RedisBus implements InvalidationBus {
  readonly channel: string
  /** Identifies this process's messages, which it ignores. */
  readonly origin = randomUUID()
  readonly #backend: RedisBackend
  readonly #subscriber: Redis
  readonly #handlers = new Set<(message: BusMessage) => void>()
  readonly #trustHandlers = new Set<(trusted: boolean) => void>()
  #trusted = false
  #closed = false

  constructor(backend: RedisBackend) {
    this.#backend = backend
    this.channel = `${backend.keyPrefix}ck:bus`
    this.#subscriber = subscriberOf(backend.client)
    const subscriber = this.#subscriber
    subscriber.on('error', (err: Error) => debug('redis bus subscriber: %s', err.message))
    // The subscriber never keeps the process alive by itself, and goes when the backend's own
    // connection ends for good (backend.close(), or a client closed by its owner).
    subscriber.on('connect', () => unref(subscriber))
    backend.client.once('end', () => this.close())
    subscriber.on('close', () => this.#setTrusted(false))
    subscriber.on('ready', () => this.#subscribe())
    subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.#receive(text)
    })
    if (subscriber.status === 'ready') this.#subscribe()
  }

  get trusted(): boolean {
    return this.#trusted
  }

  ready(): Promise<void> {
    if (this.#trusted || this.#closed) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        stop()
        resolve()
      }
      const timer = setTimeout(done, this.#backend.timeoutMs)
      const stop = this.onTrustChange((trusted) => {
        if (trusted) done()
      })
    })
  }

  /** Subscribes on a fresh connection; a failed SUBSCRIBE is tried again while the connection lasts. */
  #subscribe(attempt = 0): void {
    this.#subscriber.subscribe(this.channel).then(
      () => this.#setTrusted(true),
      (err: unknown) => {
        debug('redis bus subscribe failed: %s', (err as Error).message)
        if (this.#closed || this.#subscriber.status !== 'ready') return
        const retry = setTimeout(() => this.#subscribe(attempt + 1), Math.min(1000, 50 * 2 ** attempt))
        retry.unref()
      },
    )
  }

  #setTrusted(trusted: boolean): void {
    if (this.#trusted === trusted || (trusted && this.#closed)) return
    this.#trusted = trusted
    for (const handler of this.#trustHandlers) handler(trusted)
  }

  #receive(text: string): void {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return
    }
    const message = parsed as { o?: unknown; n?: unknown; k?: unknown; p?: unknown }
    if (message.o === this.origin || typeof message.n !== 'string') return
    const strings = (list: unknown) =>
      Array.isArray(list) && list.every((item) => typeof item === 'string') ? (list as string[]) : undefined
    const keys = strings(message.k)
    const prefixes = strings(message.p)
    if (keys === undefined && prefixes === undefined) return
    const received: BusMessage = {
      namespace: message.n,
      ...(keys === undefined ? {} : { keys }),
      ...(prefixes === undefined ? {} : { prefixes }),
    }
    for (const handler of this.#handlers) handler(received)
  }

  publish(message: BusMessage): void {
    if (this.#closed) return
    const text = JSON.stringify({
      o: this.origin,
      n: message.namespace,
      k: message.keys,
      p: message.prefixes,
    })
    try {
      this.#backend.client.publish(this.channel, text).catch((err: unknown) => {
        debug('redis bus publish failed: %s', (err as Error).message)
      })
    } catch (err) {
      debug('redis bus publish failed: %s', (err as Error).message)
    }
  }

  onMessage(handler: (message: BusMessage) => void): () => void {
    this.#handlers.add(handler)
    return () => this.#handlers.delete(handler)
  }

  onTrustChange(handler: (trusted: boolean) => void): () => void {
    this.#trustHandlers.add(handler)
    return () => this.#trustHandlers.delete(handler)
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#setTrusted(false)
    this.#subscriber.disconnect()
  }
}

/**
 * A subscriber connection like the backend's own, except that it queues its SUBSCRIBE until it is
 * connected and keeps reconnecting (a subscriber holds no caller waiting; the bus is untrusted
 * while it is away).
 */
function subscriberOf(client: RedisBackend['client']): Redis {
  const override = {
    enableOfflineQueue: true,
    autoResubscribe: false,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    lazyConnect: false,
    connectionName: 'cachekit-bus',
  }
  // A PUBLISH on any cluster node reaches every node's subscribers: one plain connection to a node
  // the cluster knows, that says when it drops (ioredis' own cluster subscriber moves silently).
  return isCluster(client) ? clusterSubscriber(client, override) : client.duplicate(override)
}

/** Lets the process exit while this connection is open (an auxiliary connection must not hold it). */
function unref(client: Redis): void {
  const stream = (client as { stream?: { unref?: () => void } }).stream
  stream?.unref?.()
}

const leases = new WeakMap<RedisBackend, { bus: RedisBus; users: number }>()

/** The backend's bus, shared by every cache on it; `release` closes it after its last user. */
export function leaseBus(backend: RedisBackend): { bus: RedisBus; release: () => void } {
  let lease = leases.get(backend)
  if (lease === undefined) {
    lease = { bus: new RedisBus(backend), users: 0 }
    leases.set(backend, lease)
  }
  lease.users++
  let released = false
  const held = lease
  return {
    bus: held.bus,
    release: () => {
      if (released) return
      released = true
      held.users--
      if (held.users === 0) {
        held.bus.close()
        leases.delete(backend)
      }
    },
  }
}
