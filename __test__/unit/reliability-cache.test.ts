/** The reliability layers as a cache meets them: through cache() and createCache(), on a faulty store. */
import { describe, expect, it, vi } from 'vitest'
import { BackendError } from '../../src/errors.js'
import { cache, createCache, MemoryBackend } from '../../src/index.js'
import { backendFault, FaultyBackend, withoutUnhandledRejections } from '../support/faulty-backend.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const quiet = { warn() {} }

function faulty() {
  const memory = new MemoryBackend()
  return { memory, store: new FaultyBackend(memory) }
}

describe('a cache over a failing store', () => {
  it('a function that throws reaches the caller unchanged and never opens the breaker', async () => {
    const { store } = faulty()
    const boom = new Error('the function failed')
    const fn = cache(
      async (n: number) => {
        if (n >= 0) throw boom
        return n
      },
      {
        namespace: 'throws',
        backend: store,
        logger: quiet,
        reliability: { breaker: { failureThreshold: 2 } },
      },
    )
    for (let i = 0; i < 20; i++) await expect(fn(i)).rejects.toBe(boom)
    expect(fn.info()).toMatchObject({ breaker: 'closed', errors: 0 })
    expect(await fn(-1)).toBe(-1)
  })

  it('a corrupt entry is an integrity error, not a backend failure: the breaker stays closed', async () => {
    const { memory, store } = faulty()
    const fn = cache(async (n: number) => n, {
      namespace: 'corrupt',
      backend: store,
      l1: false,
      logger: quiet,
      reliability: { breaker: { failureThreshold: 2 } },
    })
    for (let i = 0; i < 5; i++) {
      await memory.set(fn.key(i), Buffer.from('not an envelope'), 60)
      expect(await fn(i)).toBe(i)
    }
    expect(fn.info()).toMatchObject({ breaker: 'closed', integrityErrors: 5 })
  })

  it('after failureThreshold outages the breaker opens; calls then cost the function plus microseconds', async () => {
    const { store } = faulty()
    const fn = cache(async (n: number) => n * 2, {
      namespace: 'opens',
      backend: store,
      l1: false,
      logger: quiet,
    })
    store.failWith('connection')
    // Reads and writes fail: 5 failures open it in the third call; the rest are refused.
    for (let i = 0; i < 5; i++) expect(await fn(i)).toBe(i * 2)
    expect(fn.info()).toMatchObject({ breaker: 'open', l2Rejected: 5 })
    // The store would now hang forever: an open breaker never reaches it.
    store.heal().hang()
    const started = performance.now()
    for (let i = 0; i < 200; i++) expect(await fn(i)).toBe(i * 2)
    const perCall = (performance.now() - started) / 200
    expect(perCall).toBeLessThan(1)
    expect(store.pending).toBe(0)
    const info = fn.info()
    expect(info.l2Rejected).toBe(405)
    expect(info.l2Errors.connection).toBe(410)
    store.release()
  })

  it('does not wait for the write of a call whose read found the store down', async () => {
    const { store } = faulty()
    const fn = cache(async (n: number) => n + 1, {
      namespace: 'no-wait',
      backend: store,
      logger: quiet,
      reliability: { timeoutMs: 5000 },
    })
    store.failWith('connection', ['get', 'getWithTtl']).hang(['set'])
    const seen = await withoutUnhandledRejections(async () => {
      const started = performance.now()
      expect(await fn(1)).toBe(2)
      expect(performance.now() - started).toBeLessThan(1000)
      expect(store.pending).toBe(1)
      // L1 holds the value meanwhile; the write goes on and lands when the store answers.
      expect(await fn(1)).toBe(2)
      store.release()
      await sleep(5)
    })
    expect(seen).toEqual([])
    expect(store.calls).toContain('set')
  })

  it('still rejects a call whose entry cannot be built, though the store is down and the write not waited for', async () => {
    const { store } = faulty()
    const refused = new Error('no tenant for this call')
    const fn = cache.secure(async (n: number) => n, {
      namespace: 'no-wait-tenant',
      backend: store,
      logger: quiet,
      masterKey: 'ab'.repeat(32),
      tenant: () => {
        throw refused
      },
    })
    store.failWith('connection', ['get', 'getWithTtl'])
    await expect(fn(1)).rejects.toBe(refused)
  })

  it('waits for the write when the store is up, so the value is in L2 when the call resolves', async () => {
    const { memory, store } = faulty()
    const fn = cache(async (n: number) => n, { namespace: 'waits', backend: store, logger: quiet })
    store.delay(30, ['set'])
    expect(await fn(7)).toBe(7)
    expect(await memory.get(fn.key(7))).not.toBeNull()
  })

  it('info() counts L2 failures by kind, and the operations shed', async () => {
    const { store } = faulty()
    const c = createCache({
      namespace: 'kinds',
      backend: store,
      logger: quiet,
      reliability: { breaker: false, backpressure: { maxConcurrent: 1, maxWaiting: 0 } },
    })
    store.failTimes(2, backendFault('timeout'))
    await c.get('a')
    await c.get('b')
    store.failTimes(1, backendFault('authentication'))
    await c.get('c')
    store.hang(['getWithTtl'])
    const hung = c.get('d')
    expect(await c.get('e')).toBeUndefined()
    store.release()
    await hung
    const info = c.info()
    expect(info.breaker).toBeNull()
    expect(info.l2Errors).toEqual({
      transient: 1,
      timeout: 2,
      connection: 0,
      authentication: 1,
      permanent: 0,
    })
    expect(info.l2Shed).toBe(1)
    expect(info.l2Rejected).toBe(0)
    expect(info.l2ReadErrors).toBe(4)
  })

  it('an authentication failure is logged loudly, on its own line, however many connection failures there are', async () => {
    const { store } = faulty()
    const logger = { warn: vi.fn() }
    const c = createCache({ namespace: 'loud', backend: store, logger, reliability: { breaker: false } })
    store.failWith('connection')
    for (let i = 0; i < 5; i++) await c.get(`k${i}`)
    store.failWith('authentication')
    await c.get('auth')
    const lines = logger.warn.mock.calls.map(([fields, message]) => [fields.event, message])
    expect(lines).toContainEqual([
      'l2-authentication-error',
      expect.stringMatching(/refused the credentials/),
    ])
  })
})

describe('caches sharing a store', () => {
  it('share one breaker when their reliability settings are the same', async () => {
    const { store } = faulty()
    const a = cache(async (n: number) => n, {
      namespace: 'share-a',
      backend: store,
      l1: false,
      logger: quiet,
    })
    const b = cache(async (n: number) => n, {
      namespace: 'share-b',
      backend: store,
      l1: false,
      logger: quiet,
    })
    store.failWith('connection')
    for (let i = 0; i < 5; i++) await a(i)
    expect(a.info().breaker).toBe('open')
    expect(b.info().breaker).toBe('open')
  })

  it('have breakers of their own when their settings differ', async () => {
    const { store } = faulty()
    const a = cache(async (n: number) => n, { namespace: 'own-a', backend: store, l1: false, logger: quiet })
    const b = cache(async (n: number) => n, {
      namespace: 'own-b',
      backend: store,
      l1: false,
      logger: quiet,
      reliability: { breaker: { failureThreshold: 50 } },
    })
    store.failWith('connection')
    for (let i = 0; i < 5; i++) await a(i)
    expect(a.info().breaker).toBe('open')
    expect(b.info().breaker).toBe('closed')
  })

  it('in-process stores get no layers and report no breaker', () => {
    const fn = cache(async (n: number) => n, { namespace: 'memory', backend: new MemoryBackend() })
    expect(fn.info().breaker).toBeNull()
    expect(cache.local(async () => 1, { namespace: 'none' }).info().breaker).toBeNull()
  })
})

describe('health()', () => {
  it('is degraded while operations wait for a backpressure slot, and after some were shed', async () => {
    const { store } = faulty()
    const c = createCache({
      namespace: 'health-pressure',
      backend: store,
      logger: quiet,
      reliability: { backpressure: { maxConcurrent: 1, maxWaiting: 1, maxWaitMs: 5000 } },
    })
    store.hang(['set'])
    const first = c.set('a', 1)
    await sleep(5)
    const second = c.set('b', 2)
    await sleep(5)
    const waiting = await c.health()
    expect(waiting.status).toBe('degraded')
    expect(waiting.reasons.join()).toMatch(/1 L2 operation\(s\) waiting for one of 1 slots/)
    await expect(c.set('c', 3)).rejects.toMatchObject({ code: 'OVERLOADED' })
    store.release()
    await Promise.all([first, second])
    const shed = await c.health()
    expect(shed.status).toBe('degraded')
    expect(shed.reasons.join()).toMatch(/shed in the last 10 s \(1 in all\)/)
    expect(c.info().l2Shed).toBe(1)
  })

  it('is degraded while the breaker is half-open', async () => {
    const { store } = faulty()
    const fn = cache(async (n: number) => n, {
      namespace: 'health-half-open',
      backend: store,
      l1: false,
      logger: quiet,
      reliability: { breaker: { recoveryMs: 30, failureThreshold: 1 } },
    })
    store.failWith('connection', ['get'])
    await fn(1)
    await sleep(40)
    const report = await fn.health()
    expect(report).toMatchObject({ status: 'degraded', breaker: 'half-open' })
    expect(report.reasons.join()).toMatch(/half-open: probing/)
  })

  it('is healthy for an L1-only cache, naming no backend', async () => {
    const fn = cache.local(async () => 1, { namespace: 'health-local' })
    expect(await fn.health()).toEqual({
      status: 'healthy',
      reasons: [],
      latencyMs: null,
      connection: null,
      backend: 'none',
      breaker: null,
    })
  })

  it('is healthy for a store that answers, with the latency of its check', async () => {
    const { store } = faulty()
    const c = createCache({ namespace: 'health-up', backend: store, logger: quiet })
    const report = await c.health()
    expect(report).toMatchObject({ status: 'healthy', reasons: [], backend: 'memory', breaker: 'closed' })
    expect(report.latencyMs).toBeGreaterThanOrEqual(0)
  })

  it('is degraded after a failure, and unhealthy with the reason once the breaker is open', async () => {
    const { store } = faulty()
    const fn = cache(async (n: number) => n, {
      namespace: 'health-down',
      backend: store,
      l1: false,
      logger: quiet,
    })
    const refused = new BackendError('REDIS_ERROR', 'connection refused', { kind: 'connection' })
    store.failTimes(2, refused, ['get', 'set'])
    await fn(1)
    await sleep(5) // the write, not waited for, fails too
    const degraded = await fn.health()
    expect(degraded.status).toBe('degraded')
    expect(degraded.reasons.join()).toMatch(/2 L2 operation\(s\) in a row failed.*connection refused/)
    store.failWith('connection')
    for (let i = 0; i < 5; i++) await fn(i)
    const down = await fn.health()
    expect(down).toMatchObject({ status: 'unhealthy', breaker: 'open' })
    expect(down.reasons.join()).toMatch(/circuit breaker open/)
    expect(down.reasons.join()).toMatch(/a probe read failed/)
  })
})
