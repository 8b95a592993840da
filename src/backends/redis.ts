import { createHash } from 'node:crypto'
import { debuglog } from 'node:util'
import { Redis } from 'ioredis'
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
import type { Backend, BackendCapabilities, BackendEntry } from './backend.js'
import { classifyRedisFailure } from './redis-errors.js'

const debug = debuglog('cachekit')

export interface RedisBackendOptions {
  /** `redis://[user:pass@]host:port/db` or `rediss://...`; the backend owns (and closes) this connection. */
  url?: string
  /** An existing ioredis client; never closed by the backend. */
  client?: Redis
  /** Put in front of every key, e.g. `t:default:` to share keys with Python's env-configured Redis. */
  keyPrefix?: string
  /** Keys per SCAN / UNLINK batch when clearing. */
  scanBatchSize?: number
}

const OPTIONS: Shape = {
  url: isNonEmptyString,
  client: (v, path) =>
    checkImplements(v, path, ['getBuffer', 'pipeline', 'multi', 'scan'], 'an ioredis client'),
  keyPrefix: (v, path) => {
    if (typeof v !== 'string') invalid(path, v, 'a string')
  },
  scanBatchSize: positiveInteger,
}

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

/** Redis through ioredis: `SET key value EX ttl`, pipelined multi-gets, SCAN + UNLINK for clearing. */
export class RedisBackend implements Backend {
  readonly name = 'redis'
  readonly capabilities = REDIS_CAPABILITIES
  readonly client: Redis
  readonly #owned: boolean
  readonly #prefix: string
  readonly #batch: number
  readonly #where: string
  #closed = false
  #timerList: NodeJS.Timeout | undefined

  constructor(options: RedisBackendOptions) {
    checkOptions(options, OPTIONS, 'RedisBackend')
    if (options === undefined || (options.url === undefined) === (options.client === undefined)) {
      throw new ConfigurationError(
        'INVALID_REDIS_OPTIONS',
        'RedisBackend needs exactly one of { url } or { client }: pass a redis:// URL or an ioredis instance',
      )
    }
    this.#prefix = options.keyPrefix ?? ''
    this.#batch = options.scanBatchSize ?? CACHE_DEFAULTS.scanBatchSize
    if (options.client !== undefined) {
      this.client = options.client
      this.#owned = false
      this.#where = 'the given ioredis client'
    } else {
      const url = options.url as string
      this.#where = redactUrl(url)
      this.client = new Redis(url, {
        connectTimeout: CACHE_DEFAULTS.redisConnectTimeoutMs,
        commandTimeout: CACHE_DEFAULTS.redisCommandTimeoutMs,
        maxRetriesPerRequest: CACHE_DEFAULTS.redisMaxRetriesPerRequest,
      })
      this.#owned = true
      // Without a listener ioredis prints every reconnect error; failures reach callers as BackendError.
      this.client.on('error', (err: Error) => debug('redis %s: %s', this.#where, err.message))
      // commandTimeout arms and clears one timer per command. Node keeps one list per timer duration
      // and creates and drops it whenever it becomes non-empty / empty, which costs more than the timer;
      // an idle unref'd interval of the same duration keeps that list alive. Cleared by close().
      this.#timerList = setInterval(() => {}, CACHE_DEFAULTS.redisCommandTimeoutMs)
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
    const reason = err instanceof Error ? err.message : String(err)
    const { kind, fix } = classifyRedisFailure(err, {
      ready: this.client.status === 'ready',
      commandTimeoutMs: this.client.options.commandTimeout,
    })
    return new BackendError('REDIS_ERROR', `Redis ${op} failed at ${this.#where}: ${reason}; ${fix}`, {
      cause: err,
      kind,
    })
  }

  async #run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      throw this.#fail(op, err)
    }
  }

  // The read path maps failures with one catch on the command's own promise (no wrapper async function).
  get(key: string): Promise<Buffer | null> {
    try {
      return this.client.getBuffer(this.#prefix + key).catch((err: unknown) => {
        throw this.#fail('GET', err)
      })
    } catch (err) {
      return Promise.reject(this.#fail('GET', err))
    }
  }

  /** GET + PTTL in one pipelined round trip (one socket write). */
  getWithTtl(key: string): Promise<BackendEntry | null> {
    const fail = (err: unknown): never => {
      throw this.#fail('GET+PTTL', err)
    }
    try {
      const full = this.#prefix + key
      return this.client
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
        })
        .catch(fail)
    } catch (err) {
      return Promise.reject(this.#fail('GET+PTTL', err))
    }
  }

  async set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    await this.#run('SET', () => this.client.set(this.#prefix + key, value, 'EX', ttlSeconds))
  }

  /** One MULTI/EXEC transaction: Redis applies all of the SETs or none of them. */
  async setMany(entries: ReadonlyArray<readonly [string, Buffer]>, ttlSeconds: number): Promise<void> {
    if (entries.length === 0) return
    await this.#run('MULTI SET', async () => {
      const multi = this.client.multi()
      for (const [key, value] of entries) multi.set(this.#prefix + key, value, 'EX', ttlSeconds)
      const replies = await multi.exec()
      if (replies === null) throw new Error('the transaction was aborted')
      for (const [err] of replies) if (err) throw err
    })
  }

  delete(key: string): Promise<boolean> {
    return this.#run('UNLINK', async () => (await this.client.unlink(this.#prefix + key)) > 0)
  }

  exists(key: string): Promise<boolean> {
    return this.#run('EXISTS', async () => (await this.client.exists(this.#prefix + key)) > 0)
  }

  ttl(key: string): Promise<number | null> {
    return this.#run('TTL', async () => {
      const seconds = await this.client.ttl(this.#prefix + key)
      if (seconds === -2) return null
      return seconds === -1 ? Number.POSITIVE_INFINITY : seconds
    })
  }

  getMany(keys: readonly string[]): Promise<Array<Buffer | null>> {
    if (keys.length === 0) return Promise.resolve([])
    return this.#run('MGET', () => this.client.mgetBuffer(...keys.map((k) => this.#prefix + k)))
  }

  /**
   * GET and PTTL of every key in one command: a Lua script (EVALSHA, EVAL when the server does not
   * know it yet) returning value, ttl, value, ttl, ... One command costs the client far less than a
   * pipeline of two per key.
   */
  getManyWithTtl(keys: readonly string[]): Promise<Array<BackendEntry | null>> {
    if (keys.length === 0) return Promise.resolve([])
    const fail = (err: unknown): never => {
      throw this.#fail('GET+PTTL (script)', err)
    }
    try {
      const full = keys.map((k) => this.#prefix + k)
      return this.client
        .callBuffer('EVALSHA', GET_WITH_TTL_SHA, full.length, ...full)
        .catch((err: unknown) => {
          if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
          return this.client.callBuffer('EVAL', GET_WITH_TTL_SCRIPT, full.length, ...full)
        })
        .then((reply: unknown) => {
          const flat = reply as unknown[]
          return keys.map((_, i) => {
            const value = flat[2 * i] as Buffer | null | undefined
            if (value == null) return null
            const ms = Number(flat[2 * i + 1])
            return { value, ttlMs: ms >= 0 ? ms : null }
          })
        })
        .catch(fail)
    } catch (err) {
      return Promise.reject(this.#fail('GET+PTTL (script)', err))
    }
  }

  deleteByPrefix(prefix: string): Promise<number> {
    return this.#run('SCAN+UNLINK', async () => {
      const pattern = `${escapeGlob(this.#prefix + prefix)}*`
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

  /** Quits the connection it opened itself; a client passed in stays open (its owner closes it). */
  async close(): Promise<void> {
    if (this.#closed || !this.#owned) return
    this.#closed = true
    clearInterval(this.#timerList)
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
