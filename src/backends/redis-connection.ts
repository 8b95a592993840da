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
 * - a connection that stays silent for a whole deadline while commands time out is dropped and
 *   re-made: a black-holed TCP connection is never reported by the OS within minutes.
 */
import { Redis } from 'ioredis'
import { CACHE_DEFAULTS } from '../defaults.js'
import { classifyRedisFailure } from './redis-errors.js'

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
    commandTimeout: timeoutMs,
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

/**
 * Watches one owned client: whether it has been ready once (until then commands wait for it), and
 * when it last heard from the server (a timeout after a deadline of silence drops the connection).
 */
export class ConnectionWatch {
  readonly #client: Redis
  readonly #timeoutMs: number
  #everReady = false
  #waiters: Waiter[] = []
  #heardAt = 0
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
      this.#heardAt = performance.now()
      // One listener per connection, beside ioredis' own parser: a timestamp per chunk read.
      client.stream?.on('data', this.#heard)
    })
  }

  readonly #heard = (): void => {
    this.#heardAt = performance.now()
  }

  /**
   * Why the client cannot connect, when it is the credentials: commands then fail as
   * authentication failures, not as a connection that is merely down.
   */
  get refusal(): unknown {
    return this.#client.status !== 'ready' && isAuthentication(this.#lastError) ? this.#lastError : undefined
  }

  readonly #onReady = (): void => {
    this.#everReady = true
    this.#lastError = undefined
    this.#heardAt = performance.now()
    const waiters = this.#waiters
    this.#waiters = []
    for (const waiter of waiters) {
      clearTimeout(waiter.timer)
      waiter.resolve()
    }
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

  /**
   * A command timed out on a ready connection. When nothing at all came back for a whole deadline,
   * the connection is taken as dead and re-made (its in-flight commands fail at once).
   */
  timedOut(): boolean {
    if (this.#client.status !== 'ready') return false
    if (performance.now() - this.#heardAt < this.#timeoutMs) return false
    this.#heardAt = performance.now()
    this.#client.disconnect(true)
    return true
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
