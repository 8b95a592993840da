/**
 * Prometheus metrics through prom-client: an instrument (`observe: prometheusMetrics()`) whose
 * metrics are created once per registry and fed by the caches' events and their stores' reports.
 * What is cheapest to read when scraped is read then: L1 hits (the hit path only moves a counter),
 * L1 entries and bytes, breaker states, backpressure slots.
 */
import type { CacheInstrument, InstrumentedCache } from '../cache/config.js'
import type { CacheObserver, LockOutcome, Refusal, StaleReason } from '../cache/events.js'
import { CACHE_DEFAULTS } from '../defaults.js'
import { BackendError, ConfigurationError } from '../errors.js'
import type { BreakerState } from '../reliability/breaker.js'
import {
  type StoreObserver,
  type StoreOperation,
  type StoreTelemetry,
  telemetryOf,
} from '../reliability/instrument.js'
import { NamespaceLabels } from './labels.js'
import { METRICS, type MetricSpec } from './metric-names.js'
import { loadOptional } from './optional.js'
import type {
  Labels,
  PromClient,
  PromCounter,
  PromGauge,
  PromHistogram,
  PromRegistry,
} from './prom-client.js'

export interface PrometheusOptions {
  /** Where the metrics are registered (a prom-client `Registry`); default prom-client's global `register`. */
  registry?: PromRegistry
  /**
   * Namespaces with a label of their own (default CACHE_DEFAULTS.metricsMaxNamespaces); later ones
   * are counted under `~other`.
   */
  maxNamespaces?: number
}

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open']
const LOCK_OUTCOMES: Readonly<Record<LockOutcome, string>> = {
  acquired: 'acquired',
  waited: 'waited',
  fellThrough: 'fell_through',
}
const OPERATION_OF = { read: 'get', write: 'set', delete: 'delete' } as const

// On the registry object under a global symbol, so that two copies of this package in one process
// (its ESM and CommonJS builds) share one set of metrics instead of registering the names twice.
const ON_REGISTRY = Symbol.for('cachekit.prometheusMetrics')

type Child = { inc(value?: number): void }
type Observe = { observe(value: number): void }

/** One engine seen by these metrics, for what is read on scrape. */
interface Watched {
  readonly cache: WeakRef<InstrumentedCache>
  readonly namespace: string
  readonly l1Hits: Child
  seenL1Hits: number
}

/**
 * The metrics of one registry (see METRICS for each one's labels and meaning). Get it with
 * `prometheusMetrics()`, which returns the same object for the same registry.
 */
export class PrometheusMetrics implements CacheInstrument {
  readonly registry: PromRegistry
  readonly maxNamespaces: number
  readonly #labels: NamespaceLabels
  readonly #watched: Watched[] = []
  readonly #stores: Array<WeakRef<StoreTelemetry>> = []
  readonly #joined = new WeakSet<StoreTelemetry>()
  readonly #l2Durations = new Map<string, Map<string, Observe>>()

  readonly operations: PromCounter
  readonly coalesced: PromCounter
  readonly l2Errors: PromCounter
  readonly integrityFailures: PromCounter
  readonly decryptFailures: PromCounter
  readonly functionDuration: PromHistogram
  readonly valueSize: PromHistogram
  readonly undefinedResults: PromCounter
  readonly refreshes: PromCounter
  readonly bypasses: PromCounter
  readonly invalidations: PromCounter
  readonly stale: PromCounter
  readonly backgroundRefreshes: PromCounter
  readonly lock: PromCounter
  readonly l2Duration: PromHistogram
  readonly breakerTransitions: PromCounter
  readonly shed: PromCounter

  constructor(client: PromClient, registry: PromRegistry, maxNamespaces: number) {
    this.registry = registry
    this.maxNamespaces = maxNamespaces
    this.#labels = new NamespaceLabels(maxNamespaces)
    const registers = [registry]
    const counter = (spec: MetricSpec, collect?: () => void) =>
      new client.Counter({ name: spec.name, help: spec.help, labelNames: spec.labels, registers, collect })
    const gauge = (spec: MetricSpec, collect: () => void) =>
      new client.Gauge({ name: spec.name, help: spec.help, labelNames: spec.labels, registers, collect })
    const histogram = (spec: MetricSpec, buckets: readonly number[]) =>
      new client.Histogram({ name: spec.name, help: spec.help, labelNames: spec.labels, registers, buckets })

    this.operations = counter(METRICS.operations, () => this.#collectL1Hits())
    this.coalesced = counter(METRICS.coalesced)
    this.l2Errors = counter(METRICS.l2Errors)
    this.integrityFailures = counter(METRICS.integrityFailures)
    this.decryptFailures = counter(METRICS.decryptFailures)
    this.functionDuration = histogram(METRICS.functionDuration, CACHE_DEFAULTS.metricsFunctionBuckets)
    this.valueSize = histogram(METRICS.valueSize, CACHE_DEFAULTS.metricsValueSizeBuckets)
    this.undefinedResults = counter(METRICS.undefinedResults)
    this.refreshes = counter(METRICS.refreshes)
    this.bypasses = counter(METRICS.bypasses)
    this.invalidations = counter(METRICS.invalidations)
    this.stale = counter(METRICS.stale)
    this.backgroundRefreshes = counter(METRICS.backgroundRefreshes)
    this.lock = counter(METRICS.lock)
    const l1Entries: PromGauge = gauge(METRICS.l1Entries, () => this.#collectL1(l1Entries, (l1) => l1.size))
    const l1Bytes: PromGauge = gauge(METRICS.l1Bytes, () => this.#collectL1(l1Bytes, (l1) => l1.bytes))
    const l1MaxBytes: PromGauge = gauge(METRICS.l1MaxBytes, () =>
      this.#collectL1(l1MaxBytes, (l1) => l1.maxBytes),
    )
    this.l2Duration = histogram(METRICS.l2Duration, CACHE_DEFAULTS.metricsL2Buckets)
    const breakerState: PromGauge = gauge(METRICS.breakerState, () => this.#collectBreakers(breakerState))
    this.breakerTransitions = counter(METRICS.breakerTransitions)
    this.shed = counter(METRICS.shed)
    const inFlight: PromGauge = gauge(METRICS.inFlight, () => this.#collectSlots(inFlight, (s) => s.inFlight))
    const waiting: PromGauge = gauge(METRICS.waiting, () => this.#collectSlots(waiting, (s) => s.waiting))
  }

  /** Called by each engine built with these metrics in its `observe` option. */
  attach(cache: InstrumentedCache): void {
    const { namespace: name, backend, l1 } = cache.config
    const namespace = this.#labels.of(name)
    const lastTier = backend === null ? 'l1' : 'l2'
    const op = (tier: string, result: string) =>
      this.operations.labels({ namespace, operation: 'get', tier, result })
    // Every label set a dashboard divides by exists from the start (at 0), so a ratio is 0, not absent.
    const l1Hits = op('l1', 'hit')
    const l2Hits = op('l2', 'hit')
    const misses = op(lastTier, 'miss')
    const stale = op(lastTier, 'stale')
    misses.inc(0)
    if (l1 !== null) l1Hits.inc(0)
    if (backend !== null) l2Hits.inc(0)
    this.#watched.push({ cache: new WeakRef(cache), namespace, l1Hits, seenL1Hits: cache.stats.l1Hits })
    cache.events.observe(this.#observerFor(namespace, { l2Hits, misses, stale }))
    const telemetry = telemetryOf(backend)
    if (telemetry !== undefined && !this.#joined.has(telemetry)) this.#joinStore(telemetry)
  }

  #observerFor(namespace: string, children: { l2Hits: Child; misses: Child; stale: Child }): CacheObserver {
    const { l2Hits, misses, stale } = children
    const coalesced = this.coalesced.labels({ namespace })
    const ok = this.functionDuration.labels({ namespace, outcome: 'ok' })
    const failed = this.functionDuration.labels({ namespace, outcome: 'error' })
    const size = this.valueSize.labels({ namespace })
    coalesced.inc(0)
    return {
      l2Hit: () => l2Hits.inc(),
      miss: () => misses.inc(),
      joined: () => coalesced.inc(),
      computed: (_ns, _key, ms, succeeded) => (succeeded ? ok : failed).observe(ms / 1000),
      write: (_ns, _key, bytes) => size.observe(bytes),
      undefinedResult: () => this.undefinedResults.inc({ namespace }),
      refresh: () => this.refreshes.inc({ namespace }),
      bypass: () => this.bypasses.inc({ namespace }),
      invalidate: () => this.invalidations.inc({ namespace, scope: 'key' }),
      clear: () => this.invalidations.inc({ namespace, scope: 'prefix' }),
      stale: (_ns, _key, reason: StaleReason) => {
        stale.inc()
        this.stale.inc({ namespace, reason })
      },
      backgroundRefresh: (_ns, _key, succeeded) =>
        this.backgroundRefreshes.inc({ namespace, outcome: succeeded ? 'ok' : 'error' }),
      lock: (_ns, _key, outcome: LockOutcome) =>
        this.lock.inc({ namespace, outcome: LOCK_OUTCOMES[outcome] }),
      l2Error: (_ns, _key, operation, error) => {
        const known = error instanceof BackendError ? error : undefined
        const kind = known?.kind ?? 'transient'
        this.l2Errors.inc({ namespace, operation, kind })
        const result =
          known?.code === 'OVERLOADED' ? 'shed' : known?.code === 'CIRCUIT_OPEN' ? 'rejected' : 'error'
        this.operations.inc({ namespace, operation: OPERATION_OF[operation], tier: 'l2', result })
      },
      refused: (_ns, _key, refusal: Refusal) => {
        const labels: Labels = { namespace, tier: 'l2', reason: refusal.code.toLowerCase() }
        ;(refusal.decryption ? this.decryptFailures : this.integrityFailures).inc(labels)
      },
    }
  }

  #joinStore(telemetry: StoreTelemetry): void {
    this.#joined.add(telemetry)
    this.#stores.push(new WeakRef(telemetry))
    const backend = telemetry.backend
    this.shed.inc({ backend }, 0)
    for (const to of BREAKER_STATES) this.breakerTransitions.inc({ backend, to }, 0)
    telemetry.observe(this.#storeObserver)
  }

  readonly #storeObserver: StoreObserver = {
    operation: (report: StoreOperation) => this.#l2DurationOf(report).observe(report.durationMs / 1000),
    breaker: (transition) => this.breakerTransitions.inc({ backend: transition.backend, to: transition.to }),
    shed: (backend) => this.shed.inc({ backend }),
  }

  #l2DurationOf(report: StoreOperation): Observe {
    let byOperation = this.#l2Durations.get(report.backend)
    if (byOperation === undefined) {
      byOperation = new Map()
      this.#l2Durations.set(report.backend, byOperation)
    }
    let child = byOperation.get(report.operation)
    if (child === undefined) {
      child = this.l2Duration.labels({ backend: report.backend, operation: report.operation })
      byOperation.set(report.operation, child)
    }
    return child
  }

  /** Live engines (dropping those collected since the last scrape: their hits up to it were counted). */
  #live(): Array<{ watched: Watched; cache: InstrumentedCache }> {
    const live: Array<{ watched: Watched; cache: InstrumentedCache }> = []
    for (let i = this.#watched.length - 1; i >= 0; i--) {
      const watched = this.#watched[i] as Watched
      const cache = watched.cache.deref()
      if (cache === undefined) this.#watched.splice(i, 1)
      else live.push({ watched, cache })
    }
    return live
  }

  #collectL1Hits(): void {
    for (const { watched, cache } of this.#live()) {
      const hits = cache.stats.l1Hits
      if (hits > watched.seenL1Hits) watched.l1Hits.inc(hits - watched.seenL1Hits)
      watched.seenL1Hits = hits
    }
  }

  /** L1 gauges: each L1 once (the wraps of a cache share its L1), summed per namespace label. */
  #collectL1(gauge: PromGauge, read: (l1: NonNullable<InstrumentedCache['config']['l1']>) => number): void {
    gauge.reset()
    const seen = new Set<unknown>()
    const totals = new Map<string, number>()
    for (const { watched, cache } of this.#live()) {
      const l1 = cache.config.l1
      if (l1 === null || seen.has(l1)) continue
      seen.add(l1)
      totals.set(watched.namespace, (totals.get(watched.namespace) ?? 0) + read(l1))
    }
    for (const [namespace, value] of totals) gauge.set({ namespace }, value)
  }

  #liveStores(): StoreTelemetry[] {
    const live: StoreTelemetry[] = []
    for (let i = this.#stores.length - 1; i >= 0; i--) {
      const telemetry = this.#stores[i]?.deref()
      if (telemetry === undefined) this.#stores.splice(i, 1)
      else live.push(telemetry)
    }
    return live
  }

  #collectBreakers(gauge: PromGauge): void {
    gauge.reset()
    for (const telemetry of this.#liveStores()) {
      const breaker = telemetry.breaker
      if (breaker === null || !breaker.enabled) continue
      const state = breaker.state
      for (const s of BREAKER_STATES) gauge.inc({ backend: telemetry.backend, state: s }, s === state ? 1 : 0)
    }
  }

  #collectSlots(gauge: PromGauge, read: (s: { inFlight: number; waiting: number }) => number): void {
    gauge.reset()
    for (const telemetry of this.#liveStores()) {
      const pressure = telemetry.backpressure?.snapshot()
      if (pressure !== undefined) gauge.inc({ backend: telemetry.backend }, read(pressure))
    }
  }
}

function checkMaxNamespaces(value: unknown): number {
  if (value === undefined) return CACHE_DEFAULTS.metricsMaxNamespaces
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(
      'INVALID_OPTION',
      `prometheusMetrics({ maxNamespaces }) must be a positive integer, got ${String(value)}: pass e.g. 100`,
    )
  }
  return value
}

/**
 * The Prometheus metrics of a registry, for the `observe` option: `cache(fn, { observe:
 * prometheusMetrics({ registry }) })`. Loads prom-client (an optional peer dependency) on first
 * use. The metrics are created once per registry: every call with the same registry returns the
 * same object (and must agree on `maxNamespaces`).
 */
export function prometheusMetrics(options: PrometheusOptions = {}): PrometheusMetrics {
  const maxNamespaces = checkMaxNamespaces(options.maxNamespaces)
  const client = loadOptional<PromClient>('prom-client', 'prometheusMetrics()')
  const registry = options.registry ?? client.register
  if (typeof registry?.registerMetric !== 'function') {
    throw new ConfigurationError(
      'INVALID_OPTION',
      'prometheusMetrics({ registry }) must be a prom-client Registry: pass new Registry() or omit it for the global register',
    )
  }
  const holder = registry as PromRegistry & { [ON_REGISTRY]?: PrometheusMetrics }
  const existing = holder[ON_REGISTRY]
  if (existing !== undefined) {
    if (options.maxNamespaces !== undefined && existing.maxNamespaces !== maxNamespaces) {
      throw new ConfigurationError(
        'INVALID_OPTION',
        `prometheusMetrics() was set up for this registry with maxNamespaces ${existing.maxNamespaces}, now ${maxNamespaces}: ` +
          'pass the same value everywhere, or give these caches a Registry of their own',
      )
    }
    return existing
  }
  const taken = Object.values(METRICS).find((spec) => registry.getSingleMetric(spec.name) !== undefined)
  if (taken !== undefined) {
    throw new ConfigurationError(
      'METRIC_ALREADY_REGISTERED',
      `The registry already has a metric named ${taken.name}, not made by prometheusMetrics(): remove it, or give the caches a Registry of their own`,
    )
  }
  const metrics = new PrometheusMetrics(client, registry, maxNamespaces)
  Object.defineProperty(holder, ON_REGISTRY, { value: metrics, enumerable: false })
  return metrics
}
