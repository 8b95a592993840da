import { Computations, type ComputeContext } from './compute.js'
import type { EngineConfig } from './config.js'
import type { CacheEvents, StaleReason } from './events.js'
import { extraMs, type FreshnessPolicy, servesStale } from './freshness.js'
import { type L2Tier, READ_FAILED } from './l2-tier.js'
import type { Stored, ValueCopies } from './values.js'

/** A cached function's L2 read: fresh, past its fresh deadline by `pastMs`, missing, or failed. */
type FunctionRead = { fresh: Stored } | { stale: Stored; pastMs: number } | undefined | typeof READ_FAILED

/** What the read path needs from its engine. */
export interface FunctionReadContext {
  readonly config: EngineConfig
  readonly policy: FreshnessPolicy
  readonly l2: L2Tier | null
  readonly values: ValueCopies
  readonly events: CacheEvents
  readonly ready: () => Promise<void>
  readonly isReady: () => boolean
  readonly fillL1: (key: string, stored: Stored, ttlMs: number, staleMs: number) => void
  /** Whether L1 may be read now (false while the invalidation bus is down). */
  readonly l1Trusted: () => boolean
  readonly write: ComputeContext['write']
}

/**
 * A cached function's way past L1: its L2 read, the freshness rules (stale-while-revalidate, grace)
 * and the computation. Entries are kept `extraMs` past their fresh deadline in both tiers; an L2
 * entry is fresh while more than that is left of its TTL.
 */
export class FunctionReads {
  readonly #c: FunctionReadContext
  readonly #extraMs: number
  readonly #servesStale: boolean
  readonly computations: Computations

  constructor(context: FunctionReadContext) {
    this.#c = context
    this.#extraMs = extraMs(context.policy)
    this.#servesStale = servesStale(context.policy)
    const { config } = context
    const locks = config.backend?.locks
    this.computations = new Computations({
      namespace: config.namespace,
      policy: context.policy,
      events: context.events,
      logger: config.logger,
      lock: config.lock != null && locks !== undefined ? { locks, settings: config.lock } : null,
      reread: this.#rereadFresh,
      write: context.write,
    })
  }

  /**
   * A cached function's L2 read: a fresh entry fills L1 (fresh no longer than L2 keeps it fresh,
   * kept as long as L2 keeps it) and is returned as `fresh`; an entry past its fresh deadline is
   * returned as `stale` with how long past it is; READ_FAILED when the store failed.
   */
  #readEntry(key: string, args: readonly unknown[]): Promise<FunctionRead> {
    const { l2, config } = this.#c
    if (l2 === null) return Promise.resolve(undefined)
    const extra = this.#extraMs
    const withTtl = config.l1 !== null || extra > 0
    return l2.readEntry(key, args, withTtl, extra).then((read) => {
      if (read === undefined || read === READ_FAILED) return read
      const remaining = read.ttlMs ?? Number.POSITIVE_INFINITY
      const freshMs = Math.min(config.ttl * 1000, remaining - extra)
      // L1 gets the same deadlines: fresh until L2's fresh deadline (maybe past), kept while L2 keeps it.
      this.#c.fillL1(key, read.stored, freshMs, Math.min(extra, remaining - freshMs))
      return freshMs > 0 ? { fresh: read.stored } : { stale: read.stored, pastMs: -freshMs }
    })
  }

  /** A fresh value from L2, for the distributed lock's waiters. */
  #rereadFresh = (key: string, args: readonly unknown[]): Promise<Stored | undefined> =>
    this.#readEntry(key, args).then((read) =>
      read !== undefined && read !== READ_FAILED && 'fresh' in read ? read.fresh : undefined,
    )

  readOrCompute(key: string, args: readonly unknown[], compute: () => unknown): Promise<Stored> {
    if (this.#servesStale) return this.#readOrComputeStale(key, args, compute)
    // A read starts at once when nothing is loading (the common case: no extra tick).
    const read = this.#c.isReady()
      ? this.#readEntry(key, args)
      : this.#c.ready().then(() => this.#readEntry(key, args))
    return read.then((found) => {
      if (found !== undefined && found !== READ_FAILED && 'fresh' in found) return found.fresh
      this.#c.events.emit('miss', this.#c.config.namespace, key)
      return this.computations.run(key, args, compute, undefined, false)
    })
  }

  /**
   * The read path when stale values may be served. A value within the stale-while-revalidate window
   * is served at once while one background refresh runs; one within grace is kept as the answer to
   * a failure of the function (or, when the store is known to be down, served without computing, so
   * an outage of the store does not send every caller of every process to the function at once).
   */
  async #readOrComputeStale(key: string, args: readonly unknown[], compute: () => unknown): Promise<Stored> {
    const { config, values, events } = this.#c
    await this.#c.ready()
    const { swrMs, graceMs } = this.#c.policy
    const withinSwr = (pastMs: number) => swrMs > 0 && pastMs <= swrMs
    const withinGrace = (pastMs: number) => graceMs > 0 && pastMs <= graceMs
    let fallback: Stored | undefined
    let fallbackPastMs = Number.POSITIVE_INFINITY
    const local = this.#c.l1Trusted() ? config.l1?.getStale(key) : undefined
    if (local !== undefined) {
      fallback = values.fromStaleEntry(local)
      fallbackPastMs = Date.now() - local.freshUntil
      if (withinSwr(fallbackPastMs)) return this.#serveStale(key, args, compute, fallback, 'swr')
      if (config.reliability?.down === true && withinGrace(fallbackPastMs)) {
        return this.#serveStale(key, args, compute, fallback, 'grace-backend')
      }
    }
    const read = await this.#readEntry(key, args)
    if (read !== undefined && read !== READ_FAILED) {
      if ('fresh' in read) return read.fresh
      if (withinSwr(read.pastMs)) return this.#serveStale(key, args, compute, read.stale, 'swr')
      if (read.pastMs < fallbackPastMs) {
        fallback = read.stale
        fallbackPastMs = read.pastMs
      }
    } else if (read === READ_FAILED && fallback !== undefined && withinGrace(fallbackPastMs)) {
      return this.#serveStale(key, args, compute, fallback, 'grace-backend')
    }
    events.emit('miss', config.namespace, key)
    return this.computations.run(key, args, compute, fallback, withinGrace(fallbackPastMs))
  }

  #serveStale(
    key: string,
    args: readonly unknown[],
    compute: () => unknown,
    stale: Stored,
    reason: StaleReason,
  ): Stored {
    this.#c.events.emit('stale', this.#c.config.namespace, key, reason)
    this.computations.inBackground(key, args, compute)
    return stale
  }
}
