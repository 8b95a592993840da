import { describe, expect, it, vi } from 'vitest'
import { MemoryBackend } from '../../src/backends/memory.js'
import { type Backend, type BackendHealth, cache, createCache } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

const quiet = () => ({ warn: vi.fn(), info: vi.fn(), debug: vi.fn() })

/** A store with layers whose own health() says what the test wants. */
class SelfReporting extends FaultyBackend {
  said: BackendHealth = { status: 'healthy', reasons: [], latencyMs: 1, connection: 'ready' }
  asked = 0
  async health(): Promise<BackendHealth> {
    this.asked++
    return this.said
  }
}

describe('health() of backends and caches', () => {
  it('MemoryBackend reports itself healthy, and an in-process cache says so', async () => {
    const memory = new MemoryBackend()
    const own = await memory.health()
    expect(own).toMatchObject({ status: 'healthy', reasons: [], connection: null })
    expect(own.latencyMs).toBeGreaterThanOrEqual(0)
    const fn = cache(async () => 1, { namespace: 'health-memory', backend: memory })
    expect(await fn.health()).toMatchObject({ status: 'healthy', backend: 'memory', breaker: null })
  })

  it("a cache asks the store's own health() and adds what its layers know", async () => {
    const store = new SelfReporting(new MemoryBackend())
    const by = createCache({
      namespace: 'health-self',
      backend: store,
      logger: quiet(),
      reliability: { breaker: { failureThreshold: 1, recoveryMs: 60_000 } },
    })
    expect(await by.health()).toMatchObject({
      status: 'healthy',
      backend: 'memory',
      breaker: 'closed',
      connection: 'ready',
    })
    expect(store.asked).toBe(1)
    store.said = { status: 'degraded', reasons: ['slow'], latencyMs: 150, connection: 'ready' }
    expect(await by.health()).toMatchObject({ status: 'degraded', reasons: ['slow'] })
    // The breaker opens on one outage: unhealthy, with the breaker's reason after the store's own.
    store.failWith('connection', ['get', 'getWithTtl'])
    expect(await by.get('k')).toBeUndefined()
    const report = await by.health()
    expect(report.status).toBe('unhealthy')
    expect(report.breaker).toBe('open')
    expect(report.reasons[0]).toBe('slow')
    expect(report.reasons[1]).toMatch(/^circuit breaker open/)
  })

  it('a store without health() is probed with one read: a failing store is unhealthy', async () => {
    const store = new FaultyBackend(new MemoryBackend())
    const fn = cache(async () => 1, { namespace: 'health-probe', backend: store, logger: quiet() })
    expect((await fn.health()).status).toBe('healthy')
    store.failWith('connection')
    const report = await fn.health()
    expect(report.status).toBe('unhealthy')
    expect(report.reasons[0]).toMatch(/^a probe read failed/)
  })

  it('an L1-only cache is healthy with backend none', async () => {
    const fn = cache((n: number) => n, { namespace: 'health-local', backend: null })
    expect(await fn.health()).toMatchObject({ status: 'healthy', backend: 'none', breaker: null })
  })

  it('Backend declares health() as optional: a backend without it still type-checks', () => {
    const bare: Backend = new FaultyBackend(new MemoryBackend())
    expect(bare.health).toBeUndefined()
  })
})
