/**
 * The part of prom-client this package uses, typed here so that the published types never name the
 * optional peer dependency (a user without prom-client installed still type-checks).
 */
export type Labels = Readonly<Record<string, string>>

/** A prom-client `Registry` (or anything that holds metrics the same way). */
export interface PromRegistry {
  registerMetric(metric: never): void
  getSingleMetric(name: string): unknown
  metrics(): Promise<string>
  readonly contentType: string
}

export interface PromCounter {
  inc(labels: Labels, value?: number): void
  labels(labels: Labels): { inc(value?: number): void }
  reset(): void
}

export interface PromGauge {
  set(labels: Labels, value: number): void
  inc(labels: Labels, value?: number): void
  reset(): void
}

export interface PromHistogram {
  labels(labels: Labels): { observe(value: number): void }
}

interface MetricConfig {
  name: string
  help: string
  labelNames: readonly string[]
  registers: readonly PromRegistry[]
  collect?: () => void
}

/** The constructors of prom-client's module. */
export interface PromClient {
  readonly register: PromRegistry
  readonly Counter: new (config: MetricConfig) => PromCounter
  readonly Gauge: new (config: MetricConfig) => PromGauge
  readonly Histogram: new (config: MetricConfig & { buckets: readonly number[] }) => PromHistogram
}
