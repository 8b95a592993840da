import { createHash } from 'node:crypto'
import { debuglog } from 'node:util'
import type { Cluster, Redis } from 'ioredis'
import { CACHE_DEFAULTS } from '../defaults.js'
import { BackendError, ConfigurationError } from '../errors.js'
import {
  checkImplements,
  checkOptions,
  invalid,
  isNonEmptyString,
  positiveInteger,
  type Shape,
} from '../validate.js'
import type { Backend, BackendCapabilities, BackendEntry, BackendLocks } from './backend.js'
import { lockKeyOf } from './lock-key.js'
import {
  bySlot,
  deleteByPatternOnEveryPrimary,
  describeFailure,
  multiSet,
  setManyBySlot,
} from './redis-cluster-commands.js'
import { classifyClusterFailure, clusterHealth } from './redis-cluster-state.js'
import {
  BACKSTOP_FACTOR,
  ConnectionWatch,
  isCluster,
  ownedClient,
  ownedCluster,
  ownedSentinelClient,
  pingHealth,
  type RedisHealth,
} from './redis-connection.js'
import { classifyRedisFailure } from './redis-errors.js'
import {
  checkCluster,
  checkSentinel,
  describeAddresses,
  type RedisClusterOptions,
  type RedisSentinelOptions,
  resolveCluster,
  resolveSentinel,
} from './redis-topology-options.js'
import { checkReliability, type ReliabilityOptions, resolveReliability } from './reliability-options.js'

export type { RedisHealth } from './redis-connection.js'
export type {
  RedisAddressOption,
  RedisClusterOptions,
  RedisSentinelOptions,
} from './redis-topology-options.js'

/** How the backend reaches Redis: one server, a primary found through Sentinel, or a Redis Cluster. */
export type RedisTopology = 'single' | 'sentinel' | 'cluster'

const debug = debuglog('cachekit')

/** Exactly one of `url`, `cluster`, `sentinel` (connections the backend opens and closes) or `client`. */
export interface RedisBackendOptions {
  /** `redis://[user:pass@]host:port/db` or `rediss://...`; the backend owns (and closes) this connection. */
  url?: string
  /**
   * A Redis Cluster, from some of its nodes: `{ nodes: ['redis://10.0.0.1:6379', ...] }`; the
   * backend owns (and closes) the cluster client.
   */
  cluster?: RedisClusterOptions
  /**
   * A Sentinel-managed primary: `{ name: 'mymaster', sentinels: ['10.0.0.1:26379', ...] }`; the
   * backend owns (and closes) the connection, which follows the primary through failovers.
   */
  sentinel?: RedisSentinelOptions
  /**
   * An existing ioredis client: a `Redis` (one server, or Sentinel-configured) or a `Cluster`;
   * never closed by the backend.
   */
  client?: Redis | Cluster
  /** Put in front of every key, e.g. `t:default:` to share keys with Python's env-configured Redis. */
  keyPrefix?: string
  /** Keys per SCAN / UNLINK batch when clearing. */
  scanBatchSize?: number
  /**
   * Deadlines, circuit breaker and backpressure of the caches using this backend (a cache's own
   * `reliability` option wins field by field). On a connection it opens, `timeoutMs` is also how long
   * the first commands wait for the initial connection and how long a connection with commands in
   * flight may stay silent before it is re-made; the client's own command timeout is a backstop at
   * 5 × timeoutMs (the caches' timeout layer is what bounds their calls).
   */
  reliability?: ReliabilityOptions
}

const OPTIONS: Shape = {
  url: isNonEmptyString,
  cluster: checkCluster,
  sentinel: checkSentinel,
  client: (v, path) =>
    checkImplements(v, path, ['getBuffer', 'pipeline', 'multi', 'scan'], 'an ioredis client'),
  keyPrefix: (v, path) => {
    if (typeof v !== 'string') invalid(path, v, 'a string')
  },
  scanBatchSize: positiveInteger,
  reliability: checkReliability,
}

// Deletes the lock only while it holds this caller's token: a holder whose lease ran out never
// removes the lock another process took since.
const RELEASE_LOCK_SCRIPT =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"

const GET_WITH_TTL_SCRIPT =
  "local out = {} for i, key in ipairs(KEYS) do out[2 * i - 1] = redis.call('GET', key) out[2 * i] = redis.call('PTTL', key) end return out"
const GET_WITH_TTL_SHA = createHash('sha1').update(GET_WITH_TTL_SCRIPT).digest('hex')

// SCAN MATCH treats these as glob syntax; a namespace or prefix must match literally.
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}

// SCAN + UNLINK reaches every client's keys; PTTL / TTL tell the time left; no synchronous face.
const REDIS_CAPABILITIES: BackendCapabilities = Object.freeze({
  prefixDelete: true,
  remainingTtl: true,
  sync: false,
})

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@')
}

const SOURCES = ['url', 'cluster', 'sentinel', 'client'] as const

/** What the backend connects through, decided from the options once. */
interface Connection {
  readonly client: Redis | Cluster
  readonly topology: RedisTopology
  readonly owned: boolean
  /** How errors and health name the server(s), without credentials. */
  readonly where: string
}

function connect(options: RedisBackendOptions, timeoutMs: number): Connection {
  const given = SOURCES.filter((source) => options[source] !== undefined)
  if (given.length !== 1) {
    throw new ConfigurationError(
      'INVALID_REDIS_OPTIONS',
      `RedisBackend needs exactly one of { url }, { cluster }, { sentinel } or { client }${given.length > 1 ? `, got ${given.join(' and ')}` : ''}: ` +
        "pass a redis:// URL, { cluster: { nodes: ['redis://host:port', ...] } }, { sentinel: { name, sentinels: ['host:26379', ...] } } or an ioredis instance",
    )
  }
  if (options.client !== undefined) {
    // A client passed in keeps its own settings (offline queue, retries, command timeout).
    const client = options.client
    if (isCluster(client)) {
      return { client, topology: 'cluster', owned: false, where: 'the given ioredis Cluster' }
    }
    // (A stand-in for a client, in tests, may have no options.)
    const sentinel = (client.options?.sentinels?.length ?? 0) > 0
    return {
      client,
      topology: sentinel ? 'sentinel' : 'single',
      owned: false,
      where: sentinel ? 'the given Sentinel-configured ioredis client' : 'the given ioredis client',
    }
  }
  if (options.cluster !== undefined) {
    const target = resolveCluster(options.cluster)
    return {
      client: ownedCluster(target.nodes, target.auth, timeoutMs),
      topology: 'cluster',
      owned: true,
      where: `the cluster of ${describeAddresses(target.nodes)}`,
    }
  }
  if (options.sentinel !== undefined) {
    const target = resolveSentinel(options.sentinel)
    return {
      client: ownedSentinelClient(target, timeoutMs),
      topology: 'sentinel',
      owned: true,
      where: `primary "${target.name}" of the sentinels at ${describeAddresses(target.sentinels)}`,
    }
  }
  const url = options.url as string
  return { client: ownedClient(url, timeoutMs), topology: 'single', owned: true, where: redactUrl(url) }
}

/**
 * Redis through ioredis: `SET key value EX ttl`, pipelined multi-gets, SCAN + UNLINK for clearing;
 * on one server, a Sentinel-managed primary or a Redis Cluster (where every multi-key command is
 * split by hash slot: redis-cluster-commands.ts).
 */
export class RedisBackend implements Backend {
  readonly name = 'redis'
  readonly capabilities = REDIS_CAPABILITIES
  /** The ioredis client: a `Redis` (one server or a Sentinel-managed primary) or a `Cluster`. */
  readonly client: Redis | Cluster
  /** One server, a Sentinel-managed primary, or a Redis Cluster. */
  readonly topology: RedisTopology
  /** The `reliability` option as given: the caches' layers start from it. */
  readonly reliability: ReliabilityOptions | undefined
  /** The deadline of health()'s PING and, on an owned connection, of the start-up wait. */
  readonly timeoutMs: number
  readonly #owned: boolean
  /** The client when it is a Cluster: multi-key commands are then split by slot. */
  readonly #cluster: Cluster | undefined
  /** Leases of distributed single-flight: `SET {key}:lock token NX PX lease`, compare-and-delete release. */
  readonly locks: BackendLocks = {
    acquire: (key, token, leaseMs) =>
      this.#send('SET NX', async () => {
        const reply = await this.client.set(lockKeyOf(this.#prefix + key), token, 'PX', leaseMs, 'NX')
        return reply === 'OK'
      }),
    release: (key, token) =>
      this.#send('EVAL', async () => {
        const deleted = await this.client.eval(RELEASE_LOCK_SCRIPT, 1, lockKeyOf(this.#prefix + key), token)
        return Number(deleted) === 1
      }),
  }
  readonly #prefix: string
  readonly #batch: number
  /** What this backend puts in front of every key (`keyPrefix`; '' when none). */
  get keyPrefix(): string {
    return this.#prefix
  }
  readonly #where: string
  /** Owned connections only: start-up waiting and dead-connection detection (redis-connection.ts). */
  readonly #watch: ConnectionWatch | undefined
  #closed = false
  #timerList: NodeJS.Timeout | undefined

  constructor(options: RedisBackendOptions) {
    checkOptions(options, OPTIONS, 'RedisBackend')
    // JavaScript callers may leave the options out: the message of connect() says what to pass.
    const connection = connect(options ?? {}, resolveReliability(options?.reliability).timeoutMs)
    this.#prefix = options.keyPrefix ?? ''
    this.#batch = options.scanBatchSize ?? CACHE_DEFAULTS.scanBatchSize
    this.reliability = options.reliability
    this.timeoutMs = resolveReliability(options.reliability).timeoutMs
    this.client = connection.client
    this.topology = connection.topology
    this.#owned = connection.owned
    this.#where = connection.where
    this.#cluster = isCluster(connection.client) ? connection.client : undefined
    if (!connection.owned) {
      this.#watch = undefined
    } else {
      this.#watch = new ConnectionWatch(this.client, this.timeoutMs)
      // Without a listener ioredis prints every reconnect error; failures reach callers as BackendError.
      this.client.on('error', (err: Error) => debug('redis %s: %s', this.#where, err.message))
      if (this.#cluster !== undefined) {
        this.#cluster.on('node error', (err: Error, node: string) =>
          debug('redis %s, node %s: %s', this.#where, node, err.message),
        )
      }
      // commandTimeout arms and clears one timer per command. Node keeps one list per timer duration
      // and creates and drops it whenever it becomes non-empty / empty, which costs more than the timer;
      // an idle unref'd interval of the same duration keeps that list alive. Cleared by close().
      this.#timerList = setInterval(() => {}, this.timeoutMs * BACKSTOP_FACTOR)
      this.#timerList.unref()
    }
  }

  #fail(op: string, err: unknown): BackendError {
    if (this.#closed) {
      return new BackendError(
        'CLOSED',
        `Redis ${op} after close(): this RedisBackend (${this.#where}) was closed; create a new one, or close it only at shutdown`,
        { cause: err, kind: 'permanent' },
      )
    }
    // Not connected because the server refuses the credentials: say so, not "unreachable".
    const cause = this.#watch?.refusal ?? err
    const reason =
      this.#cluster !== undefined
        ? describeFailure(cause)
        : cause instanceof Error
          ? cause.message
          : String(cause)
    const state = {
      ready: this.client.status === 'ready',
      commandTimeoutMs: isCluster(this.client)
        ? this.client.options.redisOptions?.commandTimeout
        : this.client.options.commandTimeout,
    }
    const { kind, fix } =
      this.#cluster === undefined ? classifyRedisFailure(cause, state) : classifyClusterFailure(cause, state)
    return new BackendError('REDIS_ERROR', `Redis ${op} failed at ${this.#where}: ${reason}; ${fix}`, {
      cause,
      kind,
    })
  }

  /**
   * Sends a command now or, on an owned connection that has not been ready yet, once it is (within
   * the deadline; a command whose wait ended is never sent). Failures become BackendError. One catch
   * on the command's own promise: no wrapper async function on the read path.
   */
  #send<T>(op: string, command: () => Promise<T>): Promise<T> {
    const fail = (err: unknown): never => {
      throw this.#fail(op, err)
    }
    try {
      const waiting = this.#watch?.firstConnection()
      return (waiting === undefined ? command() : waiting.then(command)).catch(fail)
    } catch (err) {
      return Promise.reject(this.#fail(op, err))
    }
  }

  get(key: string): Promise<Buffer | null> {
    return this.#send('GET', () => this.client.getBuffer(this.#prefix + key))
  }

  /** GET + PTTL in one pipelined round trip (one socket write). */
  getWithTtl(key: string): Promise<BackendEntry | null> {
    const full = this.#prefix + key
    return this.#send('GET+PTTL', () =>
      this.client
        .pipeline()
        .getBuffer(full)
        .pttl(full)
        .exec()
        .then((replies) => {
          const [get, pttl] = replies ?? []
          if (get?.[0]) throw get[0]
          if (pttl?.[0]) throw pttl[0]
          const value = get?.[1] as Buffer | null | undefined
          if (value == null) return null
          const ms = Number(pttl?.[1])
          return { value, ttlMs: ms >= 0 ? ms : null }
        }),
    )
  }

  async set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    await this.#send('SET', () => this.client.set(this.#prefix + key, value, 'EX', ttlSeconds))
  }

  /**
   * One MULTI/EXEC transaction: Redis applies all of the SETs or none of them. On a cluster a
   * transaction cannot span slots: one per slot, and when some fail, the slots written are deleted
   * again (redis-cluster-commands.ts, `setManyBySlot`).
   */
  async setMany(entries: ReadonlyArray<readonly [string, Buffer]>, ttlSeconds: number): Promise<void> {
    if (entries.length === 0) return
    const full = entries.map(([key, value]) => [this.#prefix + key, value] as const)
    const cluster = this.#cluster
    await this.#send('MULTI SET', () =>
      cluster === undefined
        ? multiSet(this.client, full, ttlSeconds)
        : setManyBySlot(cluster, full, ttlSeconds),
    )
  }

  delete(key: string): Promise<boolean> {
    return this.#send('UNLINK', async () => (await this.client.unlink(this.#prefix + key)) > 0)
  }

  exists(key: string): Promise<boolean> {
    return this.#send('EXISTS', async () => (await this.client.exists(this.#prefix + key)) > 0)
  }

  ttl(key: string): Promise<number | null> {
    return this.#send('TTL', async () => {
      const seconds = await this.client.ttl(this.#prefix + key)
      if (seconds === -2) return null
      return seconds === -1 ? Number.POSITIVE_INFINITY : seconds
    })
  }

  /** One MGET; on a cluster one MGET per slot, sent together. */
  getMany(keys: readonly string[]): Promise<Array<Buffer | null>> {
    if (keys.length === 0) return Promise.resolve([])
    const full = keys.map((k) => this.#prefix + k)
    if (this.#cluster === undefined) return this.#send('MGET', () => this.client.mgetBuffer(...full))
    return this.#send('MGET', () => bySlot(full, (group) => this.client.mgetBuffer(...group)))
  }

  /**
   * GET and PTTL of every key in one command: a Lua script (EVALSHA, EVAL when the server does not
   * know it yet) returning value, ttl, value, ttl, ... One command costs the client far less than a
   * pipeline of two per key. On a cluster a script may only touch one slot: one per slot.
   */
  getManyWithTtl(keys: readonly string[]): Promise<Array<BackendEntry | null>> {
    if (keys.length === 0) return Promise.resolve([])
    const full = keys.map((k) => this.#prefix + k)
    if (this.#cluster === undefined)
      return this.#send('GET+PTTL (script)', () => this.#getWithTtlScript(full))
    return this.#send('GET+PTTL (script)', () => bySlot(full, (group) => this.#getWithTtlScript(group)))
  }

  #getWithTtlScript(full: readonly string[]): Promise<Array<BackendEntry | null>> {
    return this.client
      .callBuffer('EVALSHA', GET_WITH_TTL_SHA, full.length, ...full)
      .catch((err: unknown) => {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
        return this.client.callBuffer('EVAL', GET_WITH_TTL_SCRIPT, full.length, ...full)
      })
      .then((reply: unknown) => {
        const flat = reply as unknown[]
        return full.map((_, i) => {
          const value = flat[2 * i] as Buffer | null | undefined
          if (value == null) return null
          const ms = Number(flat[2 * i + 1])
          return { value, ttlMs: ms >= 0 ? ms : null }
        })
      })
  }

  /** SCAN + UNLINK in batches; on a cluster on every primary at once, each UNLINK within one slot. */
  deleteByPrefix(prefix: string): Promise<number> {
    const pattern = `${escapeGlob(this.#prefix + prefix)}*`
    const cluster = this.#cluster
    if (cluster !== undefined) {
      return this.#send('SCAN+UNLINK', () => deleteByPatternOnEveryPrimary(cluster, pattern, this.#batch))
    }
    return this.#send('SCAN+UNLINK', async () => {
      let cursor = '0'
      let deleted = 0
      do {
        const [next, keys] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', this.#batch)
        cursor = next
        for (let i = 0; i < keys.length; i += this.#batch) {
          deleted += await this.client.unlink(...keys.slice(i, i + this.#batch))
        }
      } while (cursor !== '0')
      return deleted
    })
  }

  /**
   * Straight to the server (past every layer) within `timeoutMs`: a PING and the connection state
   * (unhealthy when not connected or the PING fails; degraded when it takes over half the deadline);
   * on a Sentinel-managed primary, also the address reached; on a cluster, CLUSTER INFO and a PING
   * of every primary (redis-cluster-state.ts).
   */
  async health(): Promise<RedisHealth> {
    if (this.#closed) {
      return {
        status: 'unhealthy',
        reasons: [`Redis at ${this.#where}: this backend was closed`],
        latencyMs: null,
        connection: 'closed',
      }
    }
    const client = this.client
    if (isCluster(client)) return clusterHealth(client, this.#where, this.timeoutMs, !this.#owned)
    const health = await pingHealth(client, this.#where, this.timeoutMs, !this.#owned)
    const stream = client.stream
    if (
      this.topology !== 'sentinel' ||
      health.connection !== 'ready' ||
      stream?.remoteAddress === undefined
    ) {
      return health
    }
    return { ...health, primary: `${stream.remoteAddress}:${stream.remotePort}` }
  }

  /** Quits the connection it opened itself; a client passed in stays open (its owner closes it). */
  async close(): Promise<void> {
    if (this.#closed || !this.#owned) return
    this.#closed = true
    clearInterval(this.#timerList)
    this.#watch?.close(new Error('the backend was closed before it connected'))
    if (this.client.status === 'ready') {
      try {
        await this.client.quit()
        return
      } catch (err) {
        debug('redis quit failed, disconnecting: %s', (err as Error).message)
      }
    }
    this.client.disconnect()
  }
}
