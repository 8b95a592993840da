import { L1Coherence } from './coherence.js'
import type { EngineConfig } from './config.js'
import { CacheEvents } from './events.js'
import { extraMs, type FreshnessPolicy, jitteredTtl, NO_FRESHNESS_FEATURES } from './freshness.js'
import { FunctionReads } from './function-reads.js'
import { generationOf, type NamespaceGeneration } from './generation.js'
import { describeCache } from './info.js'
import { L2Tier } from './l2-tier.js'
import { keyRef } from './logger.js'
import { SingleFlight } from './single-flight.js'
import { type CacheInfo, CacheStats } from './stats.js'
import { NOT_STORED, type Stored, ValueCopies } from './values.js'

export type { EngineConfig } from './config.js'

/** What `peek` returns when L1 does not hold the key (`undefined` can be a cached value). */
export const MISS: unique symbol = Symbol('cachekit.miss')

/**
 * One namespace: the L1 hit path (`peek`), the read path (L2 → envelope → serializer → refusal
 * policy → L1), write-through, single-flight and the synchronous variants. Keys arrive complete;
 * the API layer builds them. The tiers own their failure policies; this class orders the steps.
 */
export class CacheEngine {
  readonly config: EngineConfig
  readonly events = new CacheEvents()
  readonly stats = new CacheStats()
  /** Internal (the by-key access shares them): how callers get values, and the L2 tier. */
  readonly values: ValueCopies
  readonly l2: L2Tier | null
  readonly #flights = new SingleFlight<Stored>()
  readonly #generation: NamespaceGeneration | null
  readonly #policy: FreshnessPolicy
  /** How long entries are kept past their fresh deadline (max of swr and grace), in ms. */
  readonly #extraMs: number
  /** L1 coherence across processes through the store's bus; null without one. */
  readonly #coherence: L1Coherence | null
  /** A cached function's way past L1: L2, freshness rules, the computation (lock, timeouts, grace). */
  readonly #reads: FunctionReads
  #loaded: Promise<void> | undefined
  /** Set once `ready()` has settled successfully: reads then skip awaiting it. */
  #isReady = false

  constructor(config: EngineConfig) {
    this.config = config
    this.events.observe(this.stats)
    this.values = new ValueCopies(config.serializer, config.l1Mode)
    this.#policy = config.freshness ?? NO_FRESHNESS_FEATURES
    this.#extraMs = extraMs(this.#policy)
    const backend = config.backend
    this.#generation =
      backend === null || (backend.capabilities.prefixDelete && config.clearBy !== 'version')
        ? null
        : generationOf(backend, config.generationNamespace ?? config.namespace)
    this.l2 =
      config.backend === null
        ? null
        : new L2Tier({
            namespace: config.namespace,
            generation: this.#generation,
            backend: config.backend,
            envelope: config.envelope,
            serializer: config.serializer,
            values: this.values,
            onDecryptError: config.onDecryptError,
            events: this.events,
            logger: config.logger,
          })
    const bus = config.bus
    this.#coherence =
      bus == null
        ? null
        : new L1Coherence(bus, config.namespace, config.l1, () => {
            // Another process cleared the namespace: re-read its generation now, not at the next refresh.
            this.#generation?.load().catch(() => {})
          })
    if (this.#coherence !== null) this.events.observe(this.#coherence)
    this.#reads = new FunctionReads({
      config,
      policy: this.#policy,
      l2: this.l2,
      values: this.values,
      events: this.events,
      ready: () => this.ready(),
      isReady: () => this.#isReady,
      fillL1: (key, stored, ttlMs, staleMs) => this.fillL1(key, stored, ttlMs, staleMs),
      l1Trusted: () => this.#coherence?.trusted ?? true,
      write: this.#write,
    })
    for (const instrument of config.instruments ?? []) instrument.attach(this)
  }

  /** Whether `ready()` has settled: reads need not wait for it. */
  get isReady(): boolean {
    return this.#isReady
  }

  /**
   * What must be there before the first read: optional serializer dependencies (Arrow), on stores
   * without prefix delete the namespace's generation, and the invalidation bus's subscription.
   */
  ready(): Promise<void> {
    if (this.#loaded === undefined) {
      const serializer = this.config.serializer.load?.()
      const generation = this.#generation?.load()
      const listening = this.config.bus?.ready()
      const loading =
        serializer === undefined && generation === undefined && listening === undefined
          ? undefined
          : Promise.all([serializer, generation, listening]).then(() => {})
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

  /**
   * The one synchronous L1 read, used by everything that reads L1: the value for this caller, or
   * MISS. It counts the hit; observers hear of it only if one asked for L1 hits.
   */
  peek(key: string): unknown {
    const entry = this.config.l1?.get(key)
    if (entry === undefined) return MISS
    // While the bus is down this process cannot know what others changed: L1 is not used.
    const coherence = this.#coherence
    if (coherence !== null && !coherence.trusted) return MISS
    this.stats.l1Hits++
    this.stats.countHit()
    if (this.events.wantsL1Hit) this.events.emit('l1Hit', this.config.namespace, key)
    return this.values.fromEntry(entry)
  }

  /** Internal: puts a stored value into L1 in this cache's mode, kept `staleMs` past `ttlMs`. */
  fillL1(key: string, stored: Stored, ttlMs: number, staleMs = 0): void {
    const l1 = this.config.l1
    if (l1 === null || (this.#coherence !== null && !this.#coherence.trusted)) return
    this.values.fill(l1, key, stored, ttlMs, staleMs)
  }

  /** Stops hearing other processes' invalidations (the cache was closed). */
  close(): void {
    this.#coherence?.detach()
  }

  /**
   * Internal (by-key reads): an L2 read that fills L1 for no longer than L2 keeps the entry;
   * undefined on a miss. By-key entries have no stale window: present is fresh.
   */
  readL2(key: string, args: readonly unknown[]): Promise<Stored | undefined> {
    const l2 = this.l2
    if (l2 === null) return Promise.resolve(undefined)
    // Without L1 the remaining TTL is not needed: a plain GET, one command per hit.
    const l1 = this.config.l1
    return l2.read(key, args, l1 !== null).then((read) => {
      if (read === undefined) return undefined
      this.fillL1(key, read.stored, Math.min(this.config.ttl * 1000, read.ttlMs ?? Number.POSITIVE_INFINITY))
      return read.stored
    })
  }

  /** `undefined` results are returned and, unless `cacheUndefined`, neither stored nor serialized. */
  #skipsStore(key: string, value: unknown): boolean {
    if (value !== undefined || this.config.cacheUndefined) return false
    this.events.emit('undefinedResult', this.config.namespace, key)
    return true
  }

  /**
   * A cached call's write: serialize, fill L1, write L2 and wait for it (failures reported, not
   * thrown), unless the store is known to be down (see #writeInBackground). The TTL is jittered
   * once for both tiers, and both keep the entry for the stale window beyond it.
   */
  #write = async (key: string, args: readonly unknown[], value: unknown): Promise<Stored> => {
    if (this.#skipsStore(key, value)) return NOT_STORED
    const payload = this.config.serializer.serialize(value)
    const stored = this.values.stored(payload)
    const ttl = jitteredTtl(this.config.ttl, this.#policy.jitter)
    this.fillL1(key, stored, ttl * 1000, this.#extraMs)
    this.events.emit('write', this.config.namespace, key, payload.byteLength)
    if (this.l2 === null) return stored
    const writing = this.l2.write(key, args, payload, ttl + Math.ceil(this.#extraMs / 1000))
    if (this.config.reliability?.down === true) await this.#writeInBackground(key, writing)
    else await writing
    return stored
  }

  /**
   * The store is known to be down (its breaker is not closed, or its last operation failed): the
   * value is returned without waiting for the write, which goes on and reports its own failure, so
   * a call during an outage pays one deadline (its read's), not two. An entry that cannot be built
   * (a tenant function that throws) is found before anything is sent, so `writing` has rejected by
   * then and the call still rejects; one that fails later (a large value wrapped off the event loop)
   * is reported as a failed write.
   */
  async #writeInBackground(key: string, writing: Promise<void>): Promise<void> {
    await Promise.race([writing, undefined])
    writing.catch((err: unknown) => {
      const { namespace, logger } = this.config
      this.events.emit('l2Error', namespace, key, 'write', err)
      logger.warn(
        { event: 'l2-write-failed', namespace, key: keyRef(key), err },
        `L2 write failed in namespace ${namespace}; the value is served from this process's L1 only`,
      )
    })
  }

  /**
   * A cached call past L1: L2, then compute; concurrent callers of one key share one flight. With
   * `started` (a performance.now() value) the call's latency is recorded when it settles.
   */
  fetch(key: string, args: readonly unknown[], compute: () => unknown, started?: number): Promise<unknown> {
    const flight = this.#flights.current(key)
    if (flight !== undefined) {
      this.events.emit('joined', this.config.namespace, key)
      return this.#join(flight, started)
    }
    return this.#lead(key, this.#reads.readOrCompute(key, args, compute), started)
  }

  /** Skips both reads, computes and overwrites; later concurrent callers join this computation. */
  refresh(key: string, args: readonly unknown[], compute: () => unknown): Promise<unknown> {
    this.events.emit('refresh', this.config.namespace, key)
    return this.#lead(key, this.#computeWhenReady(key, args, compute), undefined)
  }

  /**
   * Refresh-ahead, after an L1 hit: when less than the configured fraction of the TTL is left, the
   * function runs in the background (once per key) and the hit is served as it is.
   */
  refreshAhead(key: string, args: readonly unknown[], compute: () => unknown): void {
    const ratio = this.#policy.refreshAhead
    if (ratio === 0) return
    const left = this.config.l1?.remainingMs(key)
    if (left !== undefined && left < ratio * this.config.ttl * 1000)
      this.#reads.computations.inBackground(key, args, compute)
  }

  /** Whether hits must be followed by `refreshAhead` (checked once per call, cheaply). */
  get refreshesAhead(): boolean {
    return this.#policy.refreshAhead > 0
  }

  /** A joining caller's value, recording latency in the same reaction (no extra promise). */
  #join(flight: Promise<Stored>, started: number | undefined): Promise<unknown> {
    const values = this.values
    if (started === undefined) return flight.then((stored) => values.forJoiner(stored))
    const stats = this.stats
    return flight.then(
      (stored) => {
        stats.record(started)
        return values.forJoiner(stored)
      },
      (err: unknown) => {
        stats.record(started)
        throw err
      },
    )
  }

  /** Registers the flight; the leader's one reaction on it ends the flight, records latency, unwraps. */
  #lead(key: string, flight: Promise<Stored>, started: number | undefined): Promise<unknown> {
    const end = this.#flights.start(key, flight)
    const stats = this.stats
    return flight.then(
      (stored) => {
        end()
        if (started !== undefined) stats.record(started)
        return stored.value
      },
      (err: unknown) => {
        end()
        if (started !== undefined) stats.record(started)
        throw err
      },
    )
  }

  async #computeWhenReady(key: string, args: readonly unknown[], compute: () => unknown): Promise<Stored> {
    await this.ready()
    return this.#reads.computations.run(key, args, compute, undefined, false)
  }

  /** Synchronous functions: L1 was missed; an in-process store's sync face, then compute. */
  fetchSync(key: string, args: readonly unknown[], compute: () => unknown): unknown {
    const read = this.l2?.readSync(key, args)
    if (read !== undefined) {
      this.fillL1(key, read.stored, Math.min(this.config.ttl * 1000, read.ttlMs ?? Number.POSITIVE_INFINITY))
      return read.stored.value
    }
    this.events.emit('miss', this.config.namespace, key)
    return this.writeSync(key, args, compute())
  }

  writeSync(key: string, args: readonly unknown[], value: unknown): unknown {
    if (this.#skipsStore(key, value)) return undefined
    const payload = this.config.serializer.serialize(value)
    const stored = this.values.stored(payload)
    const ttl = jitteredTtl(this.config.ttl, this.#policy.jitter)
    this.l2?.writeSync(key, args, payload, ttl)
    this.fillL1(key, stored, ttl * 1000)
    this.events.emit('write', this.config.namespace, key, payload.byteLength)
    return stored.value
  }

  /**
   * Removes one key from L2, then from L1. Resolves true when L2 (or L1 when there is no L2) held it.
   * A failed L2 delete rejects and leaves L1 as it was.
   */
  async invalidate(key: string): Promise<boolean> {
    const inL2 = this.l2 === null ? undefined : await this.l2.delete(key)
    const inL1 = this.config.l1?.delete(key) ?? false
    this.events.emit('invalidate', this.config.namespace, key)
    return inL2 ?? inL1
  }

  /**
   * Removes every key under these prefixes from the shared L2 (all processes' keys), then from L1.
   * A failed L2 delete rejects and leaves L1 as it was. `whole`: the prefixes cover the whole
   * namespace (a store without prefix delete then moves to a new generation).
   */
  async clear(prefixes: readonly string[], whole = false): Promise<number> {
    await this.ready()
    const inL2 = this.l2 === null ? undefined : await this.l2.deleteByPrefixes(prefixes, whole)
    let inL1 = 0
    for (const prefix of prefixes) inL1 += this.config.l1?.deleteByPrefix(prefix) ?? 0
    this.events.emit('clear', this.config.namespace, prefixes)
    return inL2 ?? inL1
  }

  /** Counters and settings (see info.ts). */
  info(): CacheInfo {
    return describeCache(this.config, this.stats, this.#flights.size)
  }
}
