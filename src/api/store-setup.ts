import type { Backend } from '../backends/backend.js'
import { MemoryBackend } from '../backends/memory.js'
import { RedisBackend } from '../backends/redis.js'
import { type ReliabilityOptions, resolveReliability, settingsKey } from '../backends/reliability-options.js'
import type { CacheLogger } from '../cache/logger.js'
import { INTENT_DEFAULTS, type IntentName } from '../defaults.js'
import { BackpressureBackend } from '../reliability/backpressure.js'
import { CircuitBreakerBackend } from '../reliability/breaker.js'
import { type BackendLayer, composeBackend } from '../reliability/compose.js'
import { type HealthReport, L1_ONLY_HEALTH, ReliableStore, unlayeredHealth } from '../reliability/health.js'
import { InstrumentedBackend, registerTelemetry, StoreTelemetry } from '../reliability/instrument.js'
import { batchReads } from '../reliability/read-batching.js'
import { TimeoutBackend } from '../reliability/timeout.js'
import { leaseEnvBackend } from './env.js'

/** The options of `cache()` / `createCache()` that decide the store. */
export interface StoreOptions {
  backend?: Backend | null
  reliability?: ReliabilityOptions
}

/**
 * Where a cache's L2 comes from (the option, the intent's in-process store, or the environment) and
 * the reliability layers every network store gets, composed once per store and settings.
 */

// One set of layers per store object and reliability settings, so caches sharing a store share its
// breaker, backpressure and read batching (reads of several caches on one connection batch together).
// Caches on one store with different settings get layers of their own over the same connection.
const composed = new WeakMap<Backend, Map<string, ReliableStore>>()

/**
 * The layers every network store gets, in one place; the first is the outermost, and each one below
 * read batching counts commands, not callers:
 * - read batching: the plain reads of one turn become one command first, so that command takes one
 *   backpressure slot, counts as one failure (32 callers in one MGET are not 32 consecutive
 *   failures) and has one deadline;
 * - backpressure: bounds what this process asks of the store; a shed operation never reaches the
 *   breaker (the store did not fail: it was not asked);
 * - circuit breaker: sees every outcome of the store, the deadline's timeouts included; open, it
 *   refuses before anything is sent or a deadline armed;
 * - instrumentation: times each command for metrics and spans (reliability/instrument.ts), above
 *   the deadline so a timeout counts at its deadline; it does nothing while nobody wants the times;
 * - timeout, nearest the store: bounds the store's answer; its rejection is what the breaker counts.
 * In-process stores (a sync face) get none: they cannot hang or go down. Store-wide events (the
 * breaker opening, a refused password) are logged through the logger of the first cache to use them.
 */
function layered(
  store: Backend,
  options: ReliabilityOptions | undefined,
  logger: CacheLogger,
): ReliableStore | null {
  if (store.capabilities.sync) return null
  const settings = resolveReliability(store instanceof RedisBackend ? store.reliability : undefined, options)
  const key = settingsKey(settings)
  let stacks = composed.get(store)
  if (stacks === undefined) {
    stacks = new Map()
    composed.set(store, stacks)
  }
  const existing = stacks.get(key)
  if (existing !== undefined) return existing
  let breaker: CircuitBreakerBackend | null = null
  let backpressure: BackpressureBackend | null = null
  const telemetry = new StoreTelemetry(store.name)
  const bounds = settings.backpressure
  const layers: BackendLayer[] = [batchReads]
  if (bounds !== false) {
    layers.push((next) => {
      backpressure = new BackpressureBackend(next, bounds)
      backpressure.onShed = telemetry.shed
      return backpressure
    })
  }
  layers.push(
    (next) => {
      breaker =
        settings.breaker === false
          ? CircuitBreakerBackend.watchOnly(next, logger)
          : new CircuitBreakerBackend(next, settings.breaker, logger)
      breaker.onTransition = telemetry.transition
      return breaker
    },
    (next) => new InstrumentedBackend(next, telemetry),
    (next) => new TimeoutBackend(next, settings.timeoutMs),
  )
  const backend = composeBackend(store, ...layers)
  telemetry.breaker = breaker
  telemetry.backpressure = backpressure
  registerTelemetry(backend, telemetry)
  const stack = new ReliableStore({ backend, store, timeoutMs: settings.timeoutMs, breaker, backpressure })
  stacks.set(key, stack)
  return stack
}

export interface ResolvedBackend {
  backend: Backend | null
  reliability: ReliableStore | null
  sharedStore: boolean
  health(): Promise<HealthReport>
  close(): Promise<void>
  discard(): Promise<void>
}

function withLayers(
  store: Backend | null,
  options: StoreOptions,
  logger: CacheLogger,
): Pick<ResolvedBackend, 'backend' | 'reliability' | 'health'> {
  if (store === null) return { backend: null, reliability: null, health: async () => L1_ONLY_HEALTH }
  const stack = layered(store, options.reliability, logger)
  if (stack !== null) return { backend: stack.backend, reliability: stack, health: () => stack.health() }
  const timeoutMs = resolveReliability(options.reliability).timeoutMs
  return { backend: store, reliability: null, health: () => unlayeredHealth(store, timeoutMs) }
}

export function resolveBackend(
  intent: IntentName,
  options: StoreOptions,
  logger: CacheLogger,
): ResolvedBackend {
  const nothing = async () => {}
  if (options.backend !== undefined) {
    const given = options.backend
    return {
      ...withLayers(given, options, logger),
      sharedStore: given !== null,
      close: async () => given?.close(),
      discard: nothing,
    }
  }
  const source = INTENT_DEFAULTS[intent].l2
  if (source === 'none') {
    return { ...withLayers(null, options, logger), sharedStore: false, close: nothing, discard: nothing }
  }
  if (source === 'memory') {
    const store = new MemoryBackend()
    const close = () => store.close()
    return { ...withLayers(store, options, logger), sharedStore: false, close, discard: close }
  }
  const lease = leaseEnvBackend(process.env, logger)
  return {
    ...withLayers(lease.backend, options, logger),
    sharedStore: lease.backend !== null,
    close: lease.release,
    discard: lease.release,
  }
}
