/** Metrics, tracing and diagnostics_channel: instruments attached to caches through `observe`. */
import type { CacheInstrument } from '../cache/config.js'
import { invalid } from '../validate.js'
import { DIAGNOSTICS } from './diagnostics.js'

export {
  type BreakerMessage,
  type ComputedMessage,
  DIAGNOSTICS_CHANNELS,
  type HitMessage,
  type KeyMessage,
  type L2ErrorMessage,
  type LockMessage,
  type RefusedMessage,
  type ShedMessage,
  type StaleMessage,
} from './diagnostics.js'
export { OTHER_NAMESPACES } from './labels.js'
export { METRICS, type MetricSpec } from './metric-names.js'
export type { PromRegistry } from './prom-client.js'
export { PrometheusMetrics, type PrometheusOptions, prometheusMetrics } from './prometheus.js'
export {
  OpenTelemetryTracing,
  type OtelSpan,
  type OtelTracer,
  openTelemetryTracing,
  type SpanAttributes,
  type TracingOptions,
} from './tracing.js'

/** What the `observe` option takes: one instrument or several. */
export type ObserveOption = CacheInstrument | readonly CacheInstrument[]

/** Checks the `observe` option's shape (an instrument has `attach(cache)`). */
export function checkObserve(value: unknown, path: string): void {
  const list = Array.isArray(value) ? value : [value]
  list.forEach((item, i) => {
    if (typeof (item as { attach?: unknown } | null)?.attach !== 'function') {
      const where = Array.isArray(value) ? `${path}[${i}]` : path
      invalid(
        where,
        item,
        'an instrument with attach(cache): prometheusMetrics(), openTelemetryTracing() or a list of them',
      )
    }
  })
}

/**
 * The instruments of a cache: diagnostics_channel always (it publishes only while someone listens),
 * then those of the `observe` option, each once.
 */
export function instrumentsFor(observe: ObserveOption | undefined): readonly CacheInstrument[] {
  if (observe === undefined) return [DIAGNOSTICS]
  const given = Array.isArray(observe)
    ? (observe as readonly CacheInstrument[])
    : [observe as CacheInstrument]
  return [...new Set([DIAGNOSTICS, ...given])]
}
