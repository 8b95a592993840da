/**
 * How an owned ioredis connection behaves when Redis is slow or gone:
 * - no offline queue: while disconnected a command fails at once (the caller computes) instead of
 *   waiting in a queue that grows for as long as the outage lasts;
 * - except at start-up: commands sent before the first connection wait for it, each at most its
 *   deadline, so a cold start is not a burst of failures (which would open the breaker and lose L2
 *   for a whole recovery window). A command whose wait ended is never sent;
 * - in-flight commands of a dropped connection fail at once and are not re-sent later (a late
 *   re-sent SET could land after newer writes);
 * - reconnects back off: 50 ms doubling to 1 s, with jitter, so many clients do not reconnect in step;
 * - a connection with commands in flight that stays silent for a whole deadline is dropped and
 *   re-made: a black-holed TCP connection is not reported by the OS for minutes;
 * - the client's own command timeout is a backstop at BACKSTOP_FACTOR deadlines: callers are bounded
 *   by the timeout layer, whose deadline is judged after the event loop has read what arrived, and a
 *   client timeout of the same length would fire first after a blocked event loop.
 */
import { Cluster, Redis } from 'ioredis'
import { CACHE_DEFAULTS } from '../defaults.js'
import { classifyRedisFailure } from './redis-errors.js'

/** The client's own command timeout, in deadlines (timeoutMs). */
export const BACKSTOP_FACTOR = 5

/** A command sent before the first connection, which did not come within its deadline. */
export class NotConnectedYet extends Error {
  constructor(ms: number, status: string, last: unknown) {
    const why = last instanceof Error ? `; the last attempt: ${last.message}` : ''
    super(`not connected within ${ms} ms of the first command (ioredis status ${status})${why}`, {
      cause: last,
    })
    this.name = 'NotConnectedYet'
  }
}

function isAuthentication(err: unknown): boolean {
  return classifyRedisFailure(err, { ready: false, commandTimeoutMs: undefined }).kind === 'authentication'
}

/** Reconnect delay of attempt `times` (1, 2, ...): exponential with full jitter above half the delay. */
export function reconnectDelay(times: number): number {
  const ceiling = Math.min(
    CACHE_DEFAULTS.redisReconnectMaxMs,
    CACHE_DEFAULTS.redisReconnectMinMs * 2 ** Math.min(times - 1, 20),
  )
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2)
}

/** What every connection the backend opens shares: a node of a cluster, a primary found by Sentinel. */
function connectionSettings(timeoutMs: number) {
  return {
    connectTimeout: CACHE_DEFAULTS.redisConnectTimeoutMs,
    commandTimeout: timeoutMs * BACKSTOP_FACTOR,
    maxRetriesPerRequest: CACHE_DEFAULTS.redisMaxRetriesPerRequest,
    autoResendUnfulfilledCommands: false,
  } as const
}

export function ownedClient(url: string, timeoutMs: number): Redis {
  return new Redis(url, {
    ...connectionSettings(timeoutMs),
    enableOfflineQueue: false,
    retryStrategy: reconnectDelay,
  })
}

/** Where to reach a server: a cluster node or a sentinel. */
export interface RedisAddress {
  readonly host: string
  readonly port: number
}

/** Credentials of the data connections (the nodes of a cluster, the primary of a Sentinel set). */
export interface RedisAuth {
  readonly username?: string | undefined
  readonly password?: string | undefined
}

function authSettings(auth: RedisAuth) {
  return {
    ...(auth.username === undefined ? {} : { username: auth.username }),
    ...(auth.password === undefined ? {} : { password: auth.password }),
  }
}

/**
 * Redirections (MOVED, ASK) and retries after CLUSTERDOWN / TRYAGAIN replies that one command may
 * take. Each of those replies means the command did not run, so retrying is safe; the limit and the
 * delay keep a command's retries within about one deadline instead of ioredis' 16 x 100 ms.
 */
export const CLUSTER_MAX_REDIRECTIONS = 5

/** The delay before a retry after CLUSTERDOWN or TRYAGAIN: a fifth of the deadline, at most 100 ms. */
export function clusterRetryDelay(timeoutMs: number): number {
  return Math.max(1, Math.min(100, Math.round(timeoutMs / CLUSTER_MAX_REDIRECTIONS)))
}

/**
 * A cluster client that behaves like the single connection: no offline queue (a command for a node
 * that is not connected fails at once), no re-send of a command whose connection dropped (ioredis'
 * `retryDelayOnFailover` retry would re-send an in-flight write to another node: 0 turns it off),
 * redirections bounded, slot refreshes bounded by the backstop, and the whole cluster reconnected
 * with the same backoff as one connection when every node is lost.
 */
export function ownedCluster(nodes: readonly RedisAddress[], auth: RedisAuth, timeoutMs: number): Cluster {
  const retryDelay = clusterRetryDelay(timeoutMs)
  return new Cluster(
    nodes.map(({ host, port }) => ({ host, port })),
    {
      enableOfflineQueue: false,
      enableReadyCheck: true,
      clusterRetryStrategy: reconnectDelay,
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: retryDelay,
      retryDelayOnTryAgain: retryDelay,
      retryDelayOnMoved: 0,
      maxRedirections: CLUSTER_MAX_REDIRECTIONS,
      slotsRefreshTimeout: timeoutMs * BACKSTOP_FACTOR,
      redisOptions: { ...connectionSettings(timeoutMs), ...authSettings(auth) },
    },
  )
}

/** A Sentinel-managed primary: which one, where the sentinels are, and how to log in to each. */
export interface SentinelTarget {
  readonly name: string
  readonly sentinels: readonly RedisAddress[]
  readonly auth: RedisAuth
  readonly sentinelUsername?: string | undefined
  readonly sentinelPassword?: string | undefined
  readonly db?: number | undefined
}

/**
 * A connection to the primary the sentinels name, with the single connection's settings. Each
 * (re)connect asks the sentinels for the current primary, so a reconnect after a failover reaches
 * the new one; the failover detector (a subscription to `+switch-master` on the sentinels) drops
 * the connection as soon as they announce a new primary, even when the old one is still up (it
 * would answer writes with READONLY). Sentinel queries are bounded by the backstop too.
 */
export function ownedSentinelClient(target: SentinelTarget, timeoutMs: number): Redis {
  return new Redis({
    ...connectionSettings(timeoutMs),
    ...authSettings(target.auth),
    sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
    name: target.name,
    ...(target.sentinelUsername === undefined ? {} : { sentinelUsername: target.sentinelUsername }),
    ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
    ...(target.db === undefined ? {} : { db: target.db }),
    sentinelCommandTimeout: timeoutMs * BACKSTOP_FACTOR,
    sentinelRetryStrategy: reconnectDelay,
    failoverDetector: true,
    enableOfflineQueue: false,
    retryStrategy: reconnectDelay,
  })
}

interface Waiter {
  resolve(): void
  reject(err: unknown): void
  timer: NodeJS.Timeout
}

/** ioredis keeps the commands sent and not yet answered here (not in its typings). */
function unanswered(client: Redis): number {
  return (client as unknown as { commandQueue?: { length: number } }).commandQueue?.length ?? 0
}

/** The client or cluster a watch is given: both are EventEmitters with a `status`. */
export type WatchedClient = Redis | Cluster

/** Whether an ioredis client is a Cluster (by its own flag: a client from another copy of ioredis too). */
export function isCluster(client: Redis | Cluster): client is Cluster {
  return client.isCluster === true
}

/**
 * Whether one connection with commands in flight has gone silent: the time of the latest chunk it
 * read, and when the silence being watched began.
 */
class SilenceCheck {
  readonly #connection: Redis
  #heardAt = 0
  /** When the silence being watched began: commands in flight and nothing heard since; null: none. */
  #silentSince: number | null = null

  constructor(connection: Redis) {
    this.#connection = connection
    connection.on('connect', () => {
      this.heard()
      // One listener per connection, beside ioredis' own parser: a timestamp per chunk read.
      connection.stream?.on('data', this.heard)
    })
  }

  readonly heard = (): void => {
    this.#heardAt = performance.now()
  }

  /** Drops (and so re-makes) the connection once it has been silent for `timeoutMs` with commands in flight. */
  check(timeoutMs: number): void {
    const connection = this.#connection
    const status = connection.status
    if ((status !== 'ready' && status !== 'connect') || unanswered(connection) === 0) {
      this.#silentSince = null
      return
    }
    const now = performance.now()
    if (this.#silentSince === null || this.#heardAt > this.#silentSince) {
      this.#silentSince = now
      return
    }
    if (now - this.#silentSince < timeoutMs) return
    this.#silentSince = null
    connection.disconnect(true)
  }
}

/**
 * Watches one owned client (a connection, or a cluster and each of its node connections): whether
 * it has been ready once (until then commands wait for it), what stops it from connecting, and
 * whether a connection with commands in flight has gone silent.
 */
export class ConnectionWatch {
  readonly #client: WatchedClient
  readonly #timeoutMs: number
  readonly #interval: NodeJS.Timeout
  /** One per connection: the client itself, or each node of a cluster (added and removed with them). */
  readonly #connections = new Map<Redis, SilenceCheck>()
  #everReady = false
  #waiters: Waiter[] = []
  /** The latest connection error since the client was last ready. */
  #lastError: unknown

  constructor(client: WatchedClient, timeoutMs: number) {
    this.#client = client
    this.#timeoutMs = timeoutMs
    const onError = (err: unknown) => {
      this.#lastError = err
      // Waiting will not fix a refused password: the first commands fail with it at once.
      if (isAuthentication(err)) this.#failWaiters(err)
    }
    client.on('error', onError)
    if (isCluster(client)) {
      // A cluster opens a connection per node as it learns of them (lazily: at the node's first
      // command) and drops one when it ends. Without an offline queue, commands that reach a node
      // while it is connecting fail (only a node that has not started connecting queues them), so
      // once the cluster is ready every node is connected ahead of its first command (a primary
      // promoted by a failover too, as soon as a slot refresh or redirection names it), and
      // start-up waits for the primaries as well as for the cluster. Not earlier: the cluster's own
      // ready check goes to any node and fails on one that is connecting. Nor in the same turn as a
      // node appears: the command that made ioredis add it (a redirection) is sent in that turn and
      // queues only while the node has not started connecting.
      const connectSoon = (node: Redis) =>
        setImmediate(() => {
          if (node.status === 'wait' && client.status === 'ready') node.connect().catch(() => {})
        })
      client.on('ready', () => {
        for (const node of client.nodes()) connectSoon(node)
        this.#clusterMaybeReady()
      })
      client.on('node error', onError)
      client.on('+node', (node: Redis) => {
        this.#connections.set(node, new SilenceCheck(node))
        node.on('ready', this.#clusterMaybeReady)
        connectSoon(node)
      })
      client.on('-node', (node: Redis) => this.#connections.delete(node))
    } else {
      client.on('ready', this.#onReady)
      const check = new SilenceCheck(client)
      this.#connections.set(client, check)
      client.on('ready', check.heard)
    }
    // Checked twice per deadline, after the turn's I/O (setImmediate): data that waited behind a
    // blocked event loop counts as heard.
    this.#interval = setInterval(() => setImmediate(this.#checkSilence), Math.max(1, timeoutMs / 2))
    this.#interval.unref()
  }

  readonly #checkSilence = (): void => {
    for (const check of this.#connections.values()) check.check(this.#timeoutMs)
  }

  /** A cluster is ready once the cluster client and every primary's connection are. */
  #ready(): boolean {
    const client = this.#client
    if (client.status !== 'ready') return false
    if (!isCluster(client)) return true
    const primaries = client.nodes('master')
    return primaries.length > 0 && primaries.every((node) => node.status === 'ready')
  }

  readonly #clusterMaybeReady = (): void => {
    if (this.#ready()) this.#onReady()
  }

  readonly #onReady = (): void => {
    this.#everReady = true
    this.#lastError = undefined
    const waiters = this.#waiters
    this.#waiters = []
    for (const waiter of waiters) {
      clearTimeout(waiter.timer)
      waiter.resolve()
    }
  }

  /**
   * Why the client cannot connect, when it is the credentials: commands then fail as
   * authentication failures, not as a connection that is merely down.
   */
  get refusal(): unknown {
    return this.#client.status !== 'ready' && isAuthentication(this.#lastError) ? this.#lastError : undefined
  }

  /**
   * Undefined once the client has been ready (send now); before that, a promise that resolves when
   * it is, or rejects with NotConnectedYet after the deadline.
   */
  firstConnection(): Promise<void> | undefined {
    if (this.#everReady) return undefined
    if (this.#ready()) {
      this.#onReady()
      return undefined
    }
    const refused = this.refusal
    if (refused !== undefined) return Promise.reject(refused)
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter)
          reject(new NotConnectedYet(this.#timeoutMs, this.#client.status, this.#lastError))
        }, this.#timeoutMs),
      }
      this.#waiters.push(waiter)
    })
  }

  /** Fails the commands still waiting for the first connection (close(), a refused password). */
  #failWaiters(err: unknown): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const waiter of waiters) {
      clearTimeout(waiter.timer)
      waiter.reject(err)
    }
  }

  close(err: Error): void {
    clearInterval(this.#interval)
    this.#failWaiters(err)
  }
}

/** What `RedisBackend.health()` says: a PING within the deadline, and the connection state. */
export interface RedisHealth {
  readonly status: 'healthy' | 'degraded' | 'unhealthy'
  readonly reasons: readonly string[]
  readonly latencyMs: number | null
  /** ioredis `status`: `ready`, `connecting`, `reconnecting`, `end`, ... (`closed` after close()). */
  readonly connection: string
  /** On a cluster: `cluster_state` of CLUSTER INFO, the primaries the client knows, how many answered a PING. */
  readonly cluster?: { readonly state: string; readonly primaries: number; readonly reachable: number }
  /** On a Sentinel-managed primary: the `host:port` this connection reached, as the sentinels named it. */
  readonly primary?: string
}

/**
 * Unhealthy when not connected or the PING fails within `timeoutMs`; degraded when it took over
 * half of it. A client passed in that connects lazily (`wait`) is PINGed, which connects it.
 */
export async function pingHealth(
  client: Redis,
  where: string,
  timeoutMs: number,
  lazyAllowed: boolean,
): Promise<RedisHealth> {
  const connection = client.status
  if (connection !== 'ready' && !(connection === 'wait' && lazyAllowed)) {
    return {
      status: 'unhealthy',
      reasons: [`Redis at ${where}: not connected (ioredis status ${connection})`],
      latencyMs: null,
      connection,
    }
  }
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      client.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no PONG within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    return {
      status: 'unhealthy',
      reasons: [`Redis at ${where}: PING failed: ${reason}`],
      latencyMs: null,
      connection: client.status,
    }
  } finally {
    clearTimeout(timer)
  }
  const latencyMs = performance.now() - started
  const slow = latencyMs > timeoutMs / 2
  return {
    status: slow ? 'degraded' : 'healthy',
    reasons: slow
      ? [`Redis at ${where}: PING took ${latencyMs.toFixed(1)} ms, over half the ${timeoutMs} ms deadline`]
      : [],
    latencyMs,
    connection: client.status,
  }
}
