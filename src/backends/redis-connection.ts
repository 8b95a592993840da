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
import { Redis } from 'ioredis'
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

export function ownedClient(url: string, timeoutMs: number): Redis {
  return new Redis(url, {
    connectTimeout: CACHE_DEFAULTS.redisConnectTimeoutMs,
    commandTimeout: timeoutMs * BACKSTOP_FACTOR,
    maxRetriesPerRequest: CACHE_DEFAULTS.redisMaxRetriesPerRequest,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
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

/**
 * Watches one owned client: whether it has been ready once (until then commands wait for it), what
 * stops it from connecting, and whether a connection with commands in flight has gone silent.
 */
export class ConnectionWatch {
  readonly #client: Redis
  readonly #timeoutMs: number
  readonly #interval: NodeJS.Timeout
  #everReady = false
  #waiters: Waiter[] = []
  #heardAt = 0
  /** When the silence being watched began: commands in flight and nothing heard since; null: none. */
  #silentSince: number | null = null
  /** The latest connection error since the client was last ready. */
  #lastError: unknown

  constructor(client: Redis, timeoutMs: number) {
    this.#client = client
    this.#timeoutMs = timeoutMs
    client.on('ready', this.#onReady)
    client.on('error', (err: unknown) => {
      this.#lastError = err
      // Waiting will not fix a refused password: the first commands fail with it at once.
      if (isAuthentication(err)) this.#failWaiters(err)
    })
    client.on('connect', () => {
      this.#heard()
      // One listener per connection, beside ioredis' own parser: a timestamp per chunk read.
      client.stream?.on('data', this.#heard)
    })
    // Checked twice per deadline, after the turn's I/O (setImmediate): data that waited behind a
    // blocked event loop counts as heard.
    this.#interval = setInterval(() => setImmediate(this.#checkSilence), Math.max(1, timeoutMs / 2))
    this.#interval.unref()
  }

  readonly #heard = (): void => {
    this.#heardAt = performance.now()
  }

  readonly #checkSilence = (): void => {
    const status = this.#client.status
    if ((status !== 'ready' && status !== 'connect') || unanswered(this.#client) === 0) {
      this.#silentSince = null
      return
    }
    const now = performance.now()
    if (this.#silentSince === null || this.#heardAt > this.#silentSince) {
      this.#silentSince = now
      return
    }
    if (now - this.#silentSince < this.#timeoutMs) return
    this.#silentSince = null
    this.#client.disconnect(true)
  }

  readonly #onReady = (): void => {
    this.#everReady = true
    this.#lastError = undefined
    this.#heard()
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
    if (this.#client.status === 'ready') {
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
