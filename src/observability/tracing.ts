/**
 * OpenTelemetry spans through @opentelemetry/api: one span per miss computation (the wrapped
 * function's run) and one per L2 store command, none per L1 hit unless asked. Attributes follow the
 * database semantic conventions where they exist (`db.system.name`, `db.operation.name`,
 * `db.operation.batch.size`, `error.type`); keys appear only as `cachekit.key_ref`, 12 hex
 * characters of their SHA-256.
 *
 * Spans are recorded when their work has settled, with the start time it had, so no span is left
 * open when a computation is abandoned; their parent is the span active where the call was made.
 */
import type { CacheInstrument, InstrumentedCache } from '../cache/config.js'
import type { CacheObserver } from '../cache/events.js'
import { BackendError } from '../errors.js'
import type { StoreObserver, StoreOperation, StoreTelemetry } from '../reliability/instrument.js'
import { telemetryOf } from '../reliability/instrument.js'
import { refOf } from './key-ref.js'
import { loadOptional } from './optional.js'

export type SpanAttributes = Record<string, string | number | boolean>

/** The part of an OpenTelemetry `Span` used here. */
export interface OtelSpan {
  setStatus(status: { code: number; message?: string }): unknown
  end(endTime?: number): void
}

/** The part of an OpenTelemetry `Tracer` used here (any tracer from @opentelemetry/api fits). */
export interface OtelTracer {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: SpanAttributes; startTime?: number },
  ): OtelSpan
}

interface OtelApi {
  trace: { getTracer(name: string, version?: string): OtelTracer }
}

export interface TracingOptions {
  /** The tracer to record with; default `trace.getTracer('cachekit')` of @opentelemetry/api. */
  tracer?: OtelTracer
  /** Also a span per L1 hit (default false: a hit costs well under a microsecond, a span more). */
  l1Hits?: boolean
}

// @opentelemetry/api's SpanKind and SpanStatusCode values (stable parts of the API).
const SPAN_KIND_INTERNAL = 0
const SPAN_KIND_CLIENT = 2
const STATUS_ERROR = 2

/** What RedisBackend sends for each Backend method (the names its own error messages use). */
const REDIS_COMMANDS: Readonly<Record<string, string>> = {
  get: 'GET',
  getWithTtl: 'GET PTTL',
  getMany: 'MGET',
  getManyWithTtl: 'EVALSHA',
  set: 'SET',
  setMany: 'MULTI SET EXEC',
  delete: 'UNLINK',
  exists: 'EXISTS',
  ttl: 'TTL',
  deleteByPrefix: 'SCAN UNLINK',
  acquireLock: 'SET NX',
  releaseLock: 'EVAL',
}

/** Epoch milliseconds of a performance.now() reading (what OpenTelemetry takes as a time). */
function epochMs(at: number): number {
  return performance.timeOrigin + at
}

function errorAttributes(error: unknown, attributes: SpanAttributes): string {
  const known = error instanceof BackendError ? error : undefined
  const type = known?.code ?? (error instanceof Error ? error.name : 'Error')
  attributes['error.type'] = type
  if (known !== undefined) attributes['cachekit.error.kind'] = known.kind
  return known === undefined ? type : `${type} (${known.kind})`
}

/** The spans of one tracer, for the `observe` option. */
export class OpenTelemetryTracing implements CacheInstrument {
  readonly tracer: OtelTracer
  readonly l1Hits: boolean
  readonly #joined = new WeakSet<StoreTelemetry>()
  readonly #cacheObserver: CacheObserver

  constructor(tracer: OtelTracer, l1Hits: boolean) {
    this.tracer = tracer
    this.l1Hits = l1Hits
    const computed = (namespace: string, key: string, ms: number, ok: boolean): void => {
      const now = performance.now()
      const attributes: SpanAttributes = { 'cachekit.namespace': namespace, 'cachekit.key_ref': refOf(key) }
      const span = this.tracer.startSpan('cachekit.compute', {
        kind: SPAN_KIND_INTERNAL,
        attributes,
        startTime: epochMs(now - ms),
      })
      if (!ok) span.setStatus({ code: STATUS_ERROR, message: 'the function threw or rejected' })
      span.end(epochMs(now))
    }
    // No l1Hit method unless asked: its mere presence makes every L1 hit report itself.
    this.#cacheObserver = l1Hits ? { computed, l1Hit: (ns, key) => this.#l1Hit(ns, key) } : { computed }
  }

  attach(cache: InstrumentedCache): void {
    cache.events.observe(this.#cacheObserver)
    const telemetry = telemetryOf(cache.config.backend)
    if (telemetry !== undefined && !this.#joined.has(telemetry)) {
      this.#joined.add(telemetry)
      telemetry.observe(this.#storeObserver)
    }
  }

  #l1Hit(namespace: string, key: string): void {
    const at = epochMs(performance.now())
    this.tracer
      .startSpan('cachekit.hit', {
        kind: SPAN_KIND_INTERNAL,
        attributes: {
          'cachekit.namespace': namespace,
          'cachekit.key_ref': refOf(key),
          'cachekit.tier': 'l1',
        },
        startTime: at,
      })
      .end(at)
  }

  readonly #storeObserver: StoreObserver = {
    operation: (report: StoreOperation) => {
      const redis = report.backend === 'redis'
      const command = redis ? (REDIS_COMMANDS[report.operation] ?? report.operation) : report.operation
      const attributes: SpanAttributes = {
        'db.system.name': report.backend,
        'db.operation.name': command,
        'cachekit.operation': report.operation,
      }
      if (report.keys > 1) attributes['db.operation.batch.size'] = report.keys
      else if (report.key !== '') attributes['cachekit.key_ref'] = refOf(report.key)
      const failure = report.error === undefined ? undefined : errorAttributes(report.error, attributes)
      const span = this.tracer.startSpan(command, {
        kind: SPAN_KIND_CLIENT,
        attributes,
        startTime: epochMs(report.startedAt),
      })
      if (failure !== undefined) span.setStatus({ code: STATUS_ERROR, message: failure })
      span.end(epochMs(report.startedAt + report.durationMs))
    },
  }
}

/**
 * OpenTelemetry spans for the `observe` option: `cache(fn, { observe: openTelemetryTracing() })`.
 * Without `tracer`, loads @opentelemetry/api (an optional peer dependency) and records with the
 * global tracer provider's `cachekit` tracer (spans go wherever the application's SDK sends them).
 */
export function openTelemetryTracing(options: TracingOptions = {}): OpenTelemetryTracing {
  const tracer =
    options.tracer ??
    loadOptional<OtelApi>('@opentelemetry/api', 'openTelemetryTracing()').trace.getTracer('cachekit')
  return new OpenTelemetryTracing(tracer, options.l1Hits === true)
}
