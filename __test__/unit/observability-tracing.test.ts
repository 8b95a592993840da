import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { MemoryBackend } from '../../src/backends/memory.js'
import { keyRef } from '../../src/cache/logger.js'
import { cache } from '../../src/index.js'
import { openTelemetryTracing } from '../../src/observability/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const tracer = provider.getTracer('test')
const contextManager = new AsyncLocalStorageContextManager().enable()
context.setGlobalContextManager(contextManager)
afterAll(() => {
  context.disable()
  trace.disable()
})
beforeEach(() => exporter.reset())

const quiet = () => ({ warn: vi.fn(), info: vi.fn(), debug: vi.fn() })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const spans = () => exporter.getFinishedSpans()
const named = (name: string) => spans().filter((s) => s.name === name)
const durationMs = (span: ReadableSpan) => span.duration[0] * 1000 + span.duration[1] / 1e6

/** A store named like Redis, with layers (no sync face). */
class RedisNamed extends FaultyBackend {
  override readonly name = 'redis'
  constructor() {
    super(new MemoryBackend())
  }
}

describe('OpenTelemetry spans (an in-memory exporter)', () => {
  it('one span per miss computation, a child of the caller span, timed like the function', async () => {
    const fn = cache(
      async (id: number) => {
        await sleep(30)
        return { id }
      },
      { namespace: 'traced', backend: null, observe: openTelemetryTracing({ tracer }) },
    )
    await tracer.startActiveSpan('request', async (request) => {
      await fn(7)
      await fn(7) // an L1 hit: no span
      request.end()
    })
    const [compute, ...more] = named('cachekit.compute')
    expect(more).toEqual([])
    const request = named('request')[0]
    expect(compute?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId)
    expect(compute?.spanContext().traceId).toBe(request?.spanContext().traceId)
    expect(compute?.attributes).toEqual({
      'cachekit.namespace': 'traced',
      'cachekit.key_ref': keyRef(fn.key(7)),
    })
    expect(compute?.status.code).toBe(0)
    expect(durationMs(compute as ReadableSpan)).toBeGreaterThanOrEqual(25)
    expect(
      spans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['cachekit.compute', 'request'])
  })

  it('a span per L2 command: db.system.name redis, the command, a key reference and never the key', async () => {
    const store = new RedisNamed()
    const fn = cache(async (id: string) => ({ id }), {
      namespace: 'sessions',
      backend: store,
      l1: false,
      observe: openTelemetryTracing({ tracer }),
      logger: quiet(),
    })
    await fn('secret-token-123')
    await fn('secret-token-123')
    const l2 = spans().filter((s) => s.attributes['db.system.name'] !== undefined)
    // A miss (GET), its write (SET), then a hit (GET): the store's own commands, in order.
    expect(l2.map((s) => s.name)).toEqual(['GET', 'SET', 'GET'])
    expect(l2.map((s) => s.attributes['cachekit.operation'])).toEqual(['get', 'set', 'get'])
    for (const span of l2) {
      expect(span.kind).toBe(2) // CLIENT
      expect(span.attributes['db.system.name']).toBe('redis')
      expect(span.attributes['db.operation.name']).toBe(span.name)
      expect(span.attributes['cachekit.key_ref']).toBe(keyRef(fn.key('secret-token-123')))
    }
    const everything = JSON.stringify(spans().map((s) => s.attributes))
    expect(everything).not.toContain('secret-token-123')
    expect(everything).not.toContain(fn.key('secret-token-123'))
  })

  it('a failed store command is an error span with error.type and the BackendError kind', async () => {
    const store = new FaultyBackend(new MemoryBackend())
    const fn = cache(async (id: number) => id, {
      namespace: 'failing',
      backend: store,
      l1: false,
      observe: openTelemetryTracing({ tracer }),
      logger: quiet(),
    })
    store.failWith('timeout', ['get'])
    await fn(1)
    const [read] = spans().filter((s) => s.attributes['cachekit.operation'] === 'get')
    expect(read?.status.code).toBe(2) // ERROR
    expect(read?.status.message).toBe('REDIS_ERROR (timeout)')
    expect(read?.attributes['error.type']).toBe('REDIS_ERROR')
    expect(read?.attributes['cachekit.error.kind']).toBe('timeout')
    // Not a Redis store: the Backend method is the operation name.
    expect(read?.attributes['db.system.name']).toBe('memory')
    expect(read?.name).toBe('get')
  })

  it('a batch is one span with db.operation.batch.size', async () => {
    const store = new RedisNamed()
    const fn = cache(async (id: number) => id, {
      namespace: 'batched',
      backend: store,
      l1: false,
      observe: openTelemetryTracing({ tracer }),
      logger: quiet(),
    })
    await Promise.all([fn(1), fn(2)]) // fills L2
    exporter.reset()
    // The first read goes at once; the next ones, issued while it is in flight, go as one batch.
    await Promise.all([fn(1), fn(2), fn(3), fn(4)])
    const batch = spans().find((s) => s.attributes['db.operation.batch.size'] !== undefined)
    expect(batch?.name).toBe('MGET')
    expect(batch?.attributes['db.operation.batch.size']).toBe(3)
    expect(batch?.attributes['cachekit.key_ref']).toBeUndefined()
  })

  it('a function that throws gives an error span', async () => {
    const fn = cache(
      async () => {
        throw new Error('boom')
      },
      { namespace: 'throws', backend: null, observe: openTelemetryTracing({ tracer }) },
    )
    await expect(fn()).rejects.toThrow('boom')
    const [compute] = named('cachekit.compute')
    expect(compute?.status.code).toBe(2)
  })

  it('spans per L1 hit only when asked', async () => {
    const fn = cache(async (n: number) => n, {
      namespace: 'hits',
      backend: null,
      observe: openTelemetryTracing({ tracer, l1Hits: true }),
    })
    await fn(1)
    await fn(1)
    await fn(1)
    const hits = named('cachekit.hit')
    expect(hits).toHaveLength(2)
    expect(hits[0]?.attributes).toEqual({
      'cachekit.namespace': 'hits',
      'cachekit.key_ref': keyRef(fn.key(1)),
      'cachekit.tier': 'l1',
    })
  })

  it('without a tracer, records with the global provider through @opentelemetry/api', async () => {
    trace.setGlobalTracerProvider(provider)
    const fn = cache(async (n: number) => n, {
      namespace: 'global',
      backend: null,
      observe: openTelemetryTracing(),
    })
    await fn(1)
    const [compute] = named('cachekit.compute')
    expect(compute?.instrumentationScope.name).toBe('cachekit')
  })
})
