/**
 * diagnostics_channel events, as undici publishes its own: always attached, published only while a
 * channel has subscribers (a property read otherwise; an L1 hit reads one switch). Keys are never
 * published: `keyRef` is 12 hex characters of the key's SHA-256, as in log lines.
 */
import { channel } from 'node:diagnostics_channel'
import type { CacheInstrument, InstrumentedCache } from '../cache/config.js'
import type { CacheObserver, LockOutcome, Refusal, StaleReason } from '../cache/events.js'
import { BackendError, type BackendErrorKind } from '../errors.js'
import type { BreakerTransition, StoreObserver } from '../reliability/instrument.js'
import { telemetryOf } from '../reliability/instrument.js'
import { refOf } from './key-ref.js'

/** The channels, by what they report; docs/observability.md lists each payload. */
export const DIAGNOSTICS_CHANNELS = Object.freeze({
  hit: 'cachekit:cache:hit',
  miss: 'cachekit:cache:miss',
  coalesced: 'cachekit:cache:coalesced',
  computed: 'cachekit:cache:computed',
  stale: 'cachekit:cache:stale',
  refused: 'cachekit:cache:refused',
  lock: 'cachekit:cache:lock',
  l2Error: 'cachekit:l2:error',
  shed: 'cachekit:l2:shed',
  breaker: 'cachekit:breaker:transition',
} as const)

/** `cachekit:cache:hit`. */
export interface HitMessage {
  readonly namespace: string
  readonly keyRef: string
  readonly tier: 'l1' | 'l2'
}
/** `cachekit:cache:miss` and `cachekit:cache:coalesced`. */
export interface KeyMessage {
  readonly namespace: string
  readonly keyRef: string
}
/** `cachekit:cache:computed`: the wrapped function settled (`ok` false: it threw or rejected). */
export interface ComputedMessage extends KeyMessage {
  readonly durationMs: number
  readonly ok: boolean
}
export interface StaleMessage extends KeyMessage {
  readonly reason: StaleReason
}
/** `cachekit:cache:refused`: a stored entry failed its checks (`code`: the error code). */
export interface RefusedMessage extends KeyMessage {
  readonly code: string
  readonly decryption: boolean
}
export interface LockMessage extends KeyMessage {
  readonly outcome: LockOutcome
}
/** `cachekit:l2:error`: a store operation of a cache failed (what followed is in docs/failure-behaviour.md). */
export interface L2ErrorMessage extends KeyMessage {
  readonly operation: 'read' | 'write' | 'delete'
  readonly kind: BackendErrorKind
  /** The BackendError code (`TIMEOUT`, `CIRCUIT_OPEN`, `OVERLOADED`, ...); `UNKNOWN` for anything else. */
  readonly code: string
  readonly error: unknown
}
/** `cachekit:l2:shed`: backpressure shed a store operation (never sent). */
export interface ShedMessage {
  readonly backend: string
  readonly operation: string
}
/** `cachekit:breaker:transition`. */
export type BreakerMessage = BreakerTransition

const hit = channel(DIAGNOSTICS_CHANNELS.hit)
const miss = channel(DIAGNOSTICS_CHANNELS.miss)
const coalesced = channel(DIAGNOSTICS_CHANNELS.coalesced)
const computed = channel(DIAGNOSTICS_CHANNELS.computed)
const stale = channel(DIAGNOSTICS_CHANNELS.stale)
const refused = channel(DIAGNOSTICS_CHANNELS.refused)
const lock = channel(DIAGNOSTICS_CHANNELS.lock)
const l2Error = channel(DIAGNOSTICS_CHANNELS.l2Error)
const shed = channel(DIAGNOSTICS_CHANNELS.shed)
const breaker = channel(DIAGNOSTICS_CHANNELS.breaker)

/** One observer for every engine: the namespace comes with each report. */
const cacheObserver: CacheObserver = {
  l1HitWhen: hit,
  l1Hit(namespace, key) {
    if (hit.hasSubscribers) hit.publish({ namespace, keyRef: refOf(key), tier: 'l1' } satisfies HitMessage)
  },
  l2Hit(namespace, key) {
    if (hit.hasSubscribers) hit.publish({ namespace, keyRef: refOf(key), tier: 'l2' } satisfies HitMessage)
  },
  miss(namespace, key) {
    if (miss.hasSubscribers) miss.publish({ namespace, keyRef: refOf(key) } satisfies KeyMessage)
  },
  joined(namespace, key) {
    if (coalesced.hasSubscribers) coalesced.publish({ namespace, keyRef: refOf(key) } satisfies KeyMessage)
  },
  computed(namespace, key, durationMs, ok) {
    if (computed.hasSubscribers) {
      computed.publish({ namespace, keyRef: refOf(key), durationMs, ok } satisfies ComputedMessage)
    }
  },
  stale(namespace, key, reason) {
    if (stale.hasSubscribers) stale.publish({ namespace, keyRef: refOf(key), reason } satisfies StaleMessage)
  },
  refused(namespace, key, refusal: Refusal) {
    if (refused.hasSubscribers) {
      const { code, decryption } = refusal
      refused.publish({ namespace, keyRef: refOf(key), code, decryption } satisfies RefusedMessage)
    }
  },
  lock(namespace, key, outcome) {
    if (lock.hasSubscribers) lock.publish({ namespace, keyRef: refOf(key), outcome } satisfies LockMessage)
  },
  l2Error(namespace, key, operation, error) {
    if (!l2Error.hasSubscribers) return
    const known = error instanceof BackendError ? error : undefined
    l2Error.publish({
      namespace,
      keyRef: refOf(key),
      operation,
      kind: known?.kind ?? 'transient',
      code: known?.code ?? 'UNKNOWN',
      error,
    } satisfies L2ErrorMessage)
  },
}

const storeObserver: StoreObserver = {
  breaker(transition) {
    if (breaker.hasSubscribers) breaker.publish(transition satisfies BreakerMessage)
  },
  shed(backend, operation) {
    if (shed.hasSubscribers) shed.publish({ backend, operation } satisfies ShedMessage)
  },
}

/** Attached to every cache (resolveSetup adds it): its observers publish to the channels above. */
export const DIAGNOSTICS: CacheInstrument = Object.freeze({
  attach(cache: InstrumentedCache): void {
    cache.events.observe(cacheObserver)
    telemetryOf(cache.config.backend)?.observe(storeObserver)
  },
})
