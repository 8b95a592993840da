import type { Backend, BackendEntry } from '../backends/backend.js'
import {
  type CachekitError,
  DecryptionError,
  InputTooLargeError,
  IntegrityError,
  SerializationError,
} from '../errors.js'
import { NOT_CLONABLE, type Serializer } from '../serializers/serializer.js'
import type { Codec } from './codec.js'
import { type L1Cache, type L1Entry, NO_TEMPLATE_YET } from './l1.js'
import { type CacheLogger, keyRef } from './logger.js'
import { type CacheInfo, CacheStats } from './stats.js'

export interface EngineConfig {
  namespace: string
  /** Seconds, a positive integer. */
  ttl: number
  serializer: Serializer
  /** null: L1 only. */
  backend: Backend | null
  /** null: no L1. */
  l1: L1Cache | null
  l1Mode: 'copy' | 'frozen'
  codec: Codec
  onDecryptError: 'throw' | 'miss'
  /** Store a function's `undefined` result (only serializers that represent it exactly); default false. */
  cacheUndefined: boolean
  /** Rate limited already: warnings go straight to it. */
  logger: CacheLogger
}

/**
 * What a read or computation found: the value for this caller, plus the payload bytes for callers
 * that share it (`null`: an `undefined` result that was not stored).
 */
export interface Found {
  value: unknown
  payload: Uint8Array | null
}

const NOT_STORED: Found = Object.freeze({ value: undefined, payload: null })

/**
 * L1 + L2 orchestration for one namespace: reads (L1, then L2 through one native decode), write-through,
 * single-flight and the failure policy. Keys arrive complete; the API layer builds them.
 */
/** One by-key entry ready to write: its payload (for L1) and stored bytes (for L2, when there is one). */
export interface Prepared {
  key: string
  payload: Uint8Array
  stored: Buffer | null
}

export class CacheEngine {
  readonly config: EngineConfig
  readonly stats = new CacheStats()
  readonly #flights = new Map<string, Promise<Found>>()
  #loaded: Promise<void> | undefined
  /** Set once `ready()` has settled successfully: reads then skip awaiting it. */
  #isReady = false

  constructor(config: EngineConfig) {
    this.config = config
  }

  /** Lets serializers with optional dependencies (Arrow) load before their first use. */
  ready(): Promise<void> {
    if (this.#loaded === undefined) {
      const loading = this.config.serializer.load?.()
      if (loading === undefined) {
        this.#isReady = true
        this.#loaded = Promise.resolve()
      } else {
        this.#loaded = loading.then(() => {
          this.#isReady = true
        })
      }
    }
    return this.#loaded
  }

  /** Synchronous L1 read; `undefined` on a miss. Wrap values in `{ value }` since undefined can be cached. */
  readL1(key: string): { value: unknown } | undefined {
    const entry = this.config.l1?.get(key)
    if (entry === undefined) return undefined
    this.stats.l1Hits++
    return { value: this.hitValue(entry) }
  }

  /**
   * The value an L1 hit hands out: the one frozen value, or in copy mode a fresh copy, cloned from
   * the entry's private decoded template (decoded once, by the first hit) or decoded from the bytes.
   */
  hitValue(entry: L1Entry): unknown {
    const bytes = entry.bytes
    if (bytes === null) return entry.frozen
    const serializer = this.config.serializer
    const template = entry.template
    if (template === NO_TEMPLATE_YET) {
      const value = serializer.deserialize(bytes)
      entry.template = serializer.cloneDecoded === undefined ? NOT_CLONABLE : serializer.cloneDecoded(value)
      return value
    }
    if (template !== NOT_CLONABLE && serializer.cloneDecoded !== undefined) {
      const copy = serializer.cloneDecoded(template)
      if (copy !== NOT_CLONABLE) return copy
    }
    return serializer.deserialize(bytes)
  }

  /** The value for a caller that did not compute it: a fresh decode, or the one frozen copy. */
  #share(found: Found): unknown {
    if (found.payload === null || this.config.l1Mode === 'frozen') return found.value
    return this.config.serializer.deserialize(found.payload)
  }

  #fillL1(key: string, found: Found, ttlMs: number): void {
    const l1 = this.config.l1
    if (l1 === null || found.payload === null) return
    if (this.config.l1Mode === 'frozen') l1.setFrozen(key, found.value, found.payload.byteLength, ttlMs)
    else l1.setBytes(key, found.payload, ttlMs)
  }

  /**
   * The caller that computed a value gets the decode of what was stored, exactly what a hit (here or
   * in another process) returns: `{ n: 5n }` comes back as `{ n: 5 }` on the miss too, and an
   * omitted `undefined` property is omitted on both. In frozen mode that decode is the one frozen value.
   */
  #storedFound(payload: Uint8Array): Found {
    return { value: this.config.serializer.deserialize(payload), payload }
  }

  /** `undefined` results are returned and, unless `cacheUndefined`, neither stored nor serialized. */
  #skipsStore(value: unknown): boolean {
    if (value !== undefined || this.config.cacheUndefined) return false
    this.stats.undefinedResults++
    return true
  }

  /** Decodes stored L2 bytes; a corrupt entry follows the failure policy (miss + delete, or throw). */
  #decode(key: string, args: readonly unknown[], stored: Buffer): Found | null {
    const { serializer, codec } = this.config
    try {
      const { data, format } = codec.decode(stored, serializer.format, key, args, serializer.isMsgpack)
      if (format !== serializer.format) {
        throw new IntegrityError(
          'FORMAT_MISMATCH',
          `Entry ${key} was written as ${format} but this cache reads ${serializer.format}: use the same serializer everywhere or clear the namespace`,
        )
      }
      // A fresh decode: safe to hand out, and to freeze in frozen mode.
      return { value: serializer.deserialize(data), payload: data }
    } catch (err) {
      // Stored bytes are untrusted: an envelope claiming more than the protocol allows is as corrupt
      // as one failing its checksum (miss + delete, or fail closed when encrypted).
      const corrupt =
        err instanceof IntegrityError ||
        err instanceof DecryptionError ||
        err instanceof InputTooLargeError ||
        (err instanceof SerializationError && err.code === 'DESERIALIZE_FAILED')
      if (!corrupt) throw err
      if (err instanceof DecryptionError) this.stats.decryptErrors++
      else this.stats.integrityErrors++
      const failClosed = codec.encrypted && this.config.onDecryptError === 'throw'
      const { namespace } = this.config
      this.config.logger.warn(
        { event: 'corrupt-entry', namespace, key: keyRef(key), err },
        `${failClosed ? 'Refusing' : 'Dropping'} an entry of namespace ${namespace} (key ${keyRef(key)}, ${(err as CachekitError).code})`,
      )
      if (failClosed) throw err
      return null
    }
  }

  /** Removes an entry that failed to decode; a failure to do so is counted, not thrown. */
  async deleteCorrupt(key: string): Promise<void> {
    try {
      await this.config.backend?.delete(key)
    } catch (err) {
      this.stats.l2WriteErrors++
      const { namespace } = this.config
      this.config.logger.warn(
        { event: 'corrupt-delete-failed', namespace, key: keyRef(key), err },
        `Could not delete a corrupt entry of namespace ${namespace} (key ${keyRef(key)})`,
      )
    }
  }

  /**
   * L2 read; a failing backend counts as a miss (counted and logged), corrupt entries per policy.
   * A chain of reactions on the backend's own promise, not an async function: one tick per hit.
   */
  readL2(key: string, args: readonly unknown[]): Promise<Found | undefined> {
    const backend = this.config.backend
    if (backend === null) return Promise.resolve(undefined)
    const failed = (err: unknown): undefined => {
      this.stats.l2ReadErrors++
      const { namespace } = this.config
      this.config.logger.warn(
        { event: 'l2-read-failed', namespace, key: keyRef(key), err },
        `L2 read failed in namespace ${namespace}; treated as a miss`,
      )
      return undefined
    }
    try {
      // Without L1 the remaining TTL is not needed: a plain GET, one command per hit.
      if (this.config.l1 === null) {
        return backend
          .get(key)
          .then((value) => (value === null ? undefined : this.#accepted(key, args, value, null)), failed)
      }
      return backend
        .getWithTtl(key)
        .then(
          (entry) => (entry === null ? undefined : this.#accepted(key, args, entry.value, entry.ttlMs)),
          failed,
        )
    } catch (err) {
      return Promise.resolve(failed(err))
    }
  }

  /** A read entry: the Found, or (corrupt, by policy a miss) undefined once it is deleted. */
  #accepted(
    key: string,
    args: readonly unknown[],
    value: Buffer,
    ttlMs: number | null,
  ): Found | Promise<undefined> {
    const found = this.#acceptBytes(key, args, value, ttlMs)
    if (found !== null) return found
    return this.deleteCorrupt(key).then(() => undefined)
  }

  /**
   * Decodes an entry read from L2, counts the hit and fills L1 for no longer than L2 keeps it.
   * `null`: the entry is corrupt and, by policy, a miss; the caller deletes it.
   */
  accept(key: string, args: readonly unknown[], entry: BackendEntry): Found | null {
    return this.#acceptBytes(key, args, entry.value, entry.ttlMs)
  }

  #acceptBytes(key: string, args: readonly unknown[], value: Buffer, ttlMs: number | null): Found | null {
    const found = this.#decode(key, args, value)
    if (found === null) return null
    this.stats.l2Hits++
    this.#fillL1(key, found, Math.min(this.config.ttl * 1000, ttlMs ?? Number.POSITIVE_INFINITY))
    return found
  }

  /**
   * A cached call's write: serialize, fill L1, write L2 and wait for it. A failed L2 write is counted
   * and logged, never thrown: the call still returns its value (served from L1 until it expires).
   */
  async write(key: string, args: readonly unknown[], value: unknown): Promise<Found> {
    if (this.#skipsStore(value)) return NOT_STORED
    const payload = this.config.serializer.serialize(value)
    const found = this.#storedFound(payload)
    const ttl = this.config.ttl
    const backend = this.config.backend
    this.#fillL1(key, found, ttl * 1000)
    if (backend === null) return found
    const stored = this.config.codec.encode(payload, this.config.serializer.format, key, args)
    try {
      await backend.set(key, stored, ttl)
    } catch (err) {
      this.stats.l2WriteErrors++
      const { namespace } = this.config
      this.config.logger.warn(
        { event: 'l2-write-failed', namespace, key: keyRef(key), err },
        `L2 write failed in namespace ${namespace}; the value is served from this process's L1 only`,
      )
    }
    return found
  }

  /** Serialized and encoded entries of a by-key write, built before anything is written. */
  prepare(entries: ReadonlyArray<readonly [key: string, userKey: string, value: unknown]>): Prepared[] {
    const { serializer, codec } = this.config
    return entries.map(([key, userKey, value]) => {
      const payload = serializer.serialize(value)
      const stored =
        this.config.backend === null ? null : codec.encode(payload, serializer.format, key, [userKey])
      return { key, payload, stored }
    })
  }

  /**
   * A by-key write of prepared entries: L2 first (one transaction for several), then L1. A failed
   * L2 write rejects and changes nothing in this process.
   */
  async writePrepared(prepared: readonly Prepared[], ttl: number): Promise<void> {
    const backend = this.config.backend
    if (backend !== null) {
      const batch = prepared.map((p) => [p.key, p.stored as Buffer] as const)
      try {
        if (batch.length === 1) {
          const [only] = batch as [readonly [string, Buffer]]
          await backend.set(only[0], only[1], ttl)
        } else await backend.setMany(batch, ttl)
      } catch (err) {
        this.stats.l2WriteErrors++
        throw err
      }
    }
    for (const p of prepared) this.#fillL1(p.key, this.#storedFound(p.payload), ttl * 1000)
  }

  /**
   * L2, then compute; concurrent callers of the same key share one computation. With `started`
   * (a performance.now() value), the call's latency is recorded when it settles.
   */
  fetch(key: string, args: readonly unknown[], compute: () => unknown, started?: number): Promise<unknown> {
    const flight = this.#flights.get(key)
    if (flight !== undefined) {
      this.stats.coalesced++
      return this.#settle(flight, started, true)
    }
    return this.#lead(key, args, compute, false, started)
  }

  /** Skips both reads, computes and overwrites; later concurrent callers join this computation. */
  refresh(key: string, args: readonly unknown[], compute: () => unknown): Promise<unknown> {
    this.stats.refreshes++
    return this.#lead(key, args, compute, true, undefined)
  }

  /** The caller's value from a flight, recording latency in the same reaction (no extra promise). */
  #settle(flight: Promise<Found>, started: number | undefined, shared: boolean): Promise<unknown> {
    if (started === undefined) return flight.then((found) => (shared ? this.#share(found) : found.value))
    const stats = this.stats
    return flight.then(
      (found) => {
        stats.record(started)
        return shared ? this.#share(found) : found.value
      },
      (err: unknown) => {
        stats.record(started)
        throw err
      },
    )
  }

  #fly(key: string, args: readonly unknown[], compute: () => unknown, skipRead: boolean): Promise<Found> {
    // A read starts at once when nothing is loading; a refresh computes after a turn, as it always has.
    if (skipRead || !this.#isReady) return this.#flyWhenReady(key, args, compute, skipRead)
    return this.#readOrCompute(key, args, compute)
  }

  async #flyWhenReady(
    key: string,
    args: readonly unknown[],
    compute: () => unknown,
    skipRead: boolean,
  ): Promise<Found> {
    await this.ready()
    return skipRead ? this.#compute(key, args, compute) : this.#readOrCompute(key, args, compute)
  }

  #readOrCompute(key: string, args: readonly unknown[], compute: () => unknown): Promise<Found> {
    return this.readL2(key, args).then((found) => {
      if (found !== undefined) return found
      this.stats.misses++
      return this.#compute(key, args, compute)
    })
  }

  async #compute(key: string, args: readonly unknown[], compute: () => unknown): Promise<Found> {
    return this.write(key, args, await compute())
  }

  /** Starts a flight; the leader's one reaction on it ends the flight, records latency and unwraps. */
  #lead(
    key: string,
    args: readonly unknown[],
    compute: () => unknown,
    skipRead: boolean,
    started: number | undefined,
  ): Promise<unknown> {
    const flight = this.#fly(key, args, compute, skipRead)
    this.#flights.set(key, flight)
    const end = () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key)
      if (started !== undefined) this.stats.record(started)
    }
    return flight.then(
      (found) => {
        end()
        return found.value
      },
      (err: unknown) => {
        end()
        throw err
      },
    )
  }

  /** Synchronous L2 read for synchronous functions, through an in-process store's `sync` face. */
  readL2Sync(key: string, args: readonly unknown[]): Found | undefined {
    const sync = this.config.backend?.sync
    const entry = sync?.getWithTtl(key)
    if (sync === undefined || entry == null) return undefined
    const found = this.accept(key, args, entry)
    if (found !== null) return found
    sync.delete(key)
    return undefined
  }

  writeSync(key: string, args: readonly unknown[], value: unknown): Found {
    if (this.#skipsStore(value)) return NOT_STORED
    const payload = this.config.serializer.serialize(value)
    const found = this.#storedFound(payload)
    const sync = this.config.backend?.sync
    if (sync !== undefined)
      sync.set(
        key,
        this.config.codec.encode(payload, this.config.serializer.format, key, args),
        this.config.ttl,
      )
    this.#fillL1(key, found, this.config.ttl * 1000)
    return found
  }

  /**
   * Removes one key from L2, then from L1. Resolves true when L2 (or L1 when there is no L2) held it.
   * A failed L2 delete rejects and leaves L1 as it was.
   */
  async invalidate(key: string): Promise<boolean> {
    const backend = this.config.backend
    const inL2 = backend === null ? undefined : await backend.delete(key)
    const inL1 = this.config.l1?.delete(key) ?? false
    return inL2 ?? inL1
  }

  /**
   * Removes every key under these prefixes from the shared L2 (all processes' keys), then from L1.
   * A failed L2 delete rejects and leaves L1 as it was.
   */
  async clear(prefixes: readonly string[]): Promise<number> {
    const backend = this.config.backend
    let inL2 = 0
    if (backend !== null) for (const prefix of prefixes) inL2 += await backend.deleteByPrefix(prefix)
    let inL1 = 0
    for (const prefix of prefixes) inL1 += this.config.l1?.deleteByPrefix(prefix) ?? 0
    return backend === null ? inL1 : inL2
  }

  /**
   * Counters and settings. `avgLatencyMs` is an estimate: L1 hits are timed one call in 64 (weighted
   * ×64) so the hit path reads no clock; misses, L2 reads and refreshes are each timed.
   */
  info(): CacheInfo {
    const { config, stats } = this
    const l1 = config.l1
    return {
      namespace: config.namespace,
      backend: config.backend?.name ?? 'none',
      l2: config.backend !== null,
      ttl: config.ttl,
      serializer: config.serializer.format,
      encrypted: config.codec.encrypted,
      l1:
        l1 === null
          ? null
          : { entries: l1.size, bytes: l1.bytes, maxBytes: l1.maxBytes, mode: config.l1Mode },
      hits: stats.hits,
      misses: stats.misses,
      l1Hits: stats.l1Hits,
      l2Hits: stats.l2Hits,
      coalesced: stats.coalesced,
      refreshes: stats.refreshes,
      bypasses: stats.bypasses,
      errors: stats.errors,
      l2ReadErrors: stats.l2ReadErrors,
      l2WriteErrors: stats.l2WriteErrors,
      decryptErrors: stats.decryptErrors,
      integrityErrors: stats.integrityErrors,
      undefinedResults: stats.undefinedResults,
      inFlight: this.#flights.size,
      avgLatencyMs: stats.avgLatencyMs,
    }
  }
}
