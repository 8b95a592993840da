import type { Backend } from '../backends/backend.js'
import type { InvalidationBus } from '../backends/bus.js'
import type { Envelope } from '../envelope/envelope.js'
import type { BreakerState } from '../reliability/breaker.js'
import type { Serializer } from '../serializers/serializer.js'
import type { CacheEvents } from './events.js'
import type { FreshnessPolicy } from './freshness.js'
import type { L1Cache } from './l1.js'
import type { CacheLogger } from './logger.js'
import type { LockSettings } from './stampede-lock.js'

/** Everything one namespace's engine is built from (resolved options plus the namespace). */
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
  envelope: Envelope
  onDecryptError: 'throw' | 'miss'
  /** Store a function's `undefined` result (only serializers that represent it exactly). */
  cacheUndefined: boolean
  /** Rate limited already: warnings go straight to it. */
  logger: CacheLogger
  /**
   * Stores without prefix delete: whose generation this namespace's keys carry (default: its own;
   * a by-key cache's wraps carry the cache's, so clearing the cache clears them too).
   */
  generationNamespace?: string
  /**
   * What the store's layers know (null or absent: no layers): the breaker state for info(), and
   * whether the store is known to be down, so a cached call does not wait for its write.
   */
  reliability?: StoreWatch | null
  /** Attached to the engine when it is built (the `observe` option, and diagnostics_channel). */
  instruments?: readonly CacheInstrument[]
  /** Stale-while-revalidate, grace, refresh-ahead, TTL jitter, function timeouts (absent: all off). */
  freshness?: FreshnessPolicy
  /**
   * How `clear()` empties the namespace: `scan` deletes its keys (SCAN + UNLINK, bounded batches);
   * `version` moves it to a new generation folded into every stored key, one write whatever the
   * number of keys (the old entries expire by TTL). Stores without prefix delete always use `version`.
   */
  clearBy?: 'scan' | 'version'
  /** The store's invalidation bus: L1 coherence across processes (absent or null: none). */
  bus?: InvalidationBus | null
  /** Distributed single-flight of cold keys (absent or null: off; needs a store with `locks`). */
  lock?: LockSettings | null
}

/**
 * What watches caches from their creation (metrics, tracing, diagnostics_channel): given every
 * engine built from the options it was passed in (`observe`), once, when the engine is built.
 */
export interface CacheInstrument {
  attach(cache: InstrumentedCache): void
}

/** What an instrument sees of one namespace's engine. */
export interface InstrumentedCache {
  readonly config: Readonly<Pick<EngineConfig, 'namespace' | 'backend' | 'l1'>>
  /** Where the engine reports (`observe` an observer on it). */
  readonly events: CacheEvents
  /** L1 hits are counted here, not reported (read them when scraped). */
  readonly stats: { readonly l1Hits: number }
}

/** The part of the store's reliability layers the engine reads. */
export interface StoreWatch {
  readonly breakerState: BreakerState | null
  readonly down: boolean
}
