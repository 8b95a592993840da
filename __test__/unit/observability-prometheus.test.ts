import { Registry } from 'prom-client'
import { describe, expect, it, vi } from 'vitest'
import type { Backend, BackendCapabilities } from '../../src/backends/backend.js'
import { MemoryBackend } from '../../src/backends/memory.js'
import { CacheEvents } from '../../src/cache/events.js'
import { cache, createCache } from '../../src/index.js'
import { METRICS, OTHER_NAMESPACES, prometheusMetrics } from '../../src/observability/index.js'
import { PassThroughBackend } from '../../src/reliability/compose.js'
import { parseScrape, type Sample, select, total, value } from '../observability/scrape.js'
import { FaultyBackend } from '../support/faulty-backend.js'

const quiet = () => ({ warn: vi.fn(), info: vi.fn(), debug: vi.fn() })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function scrape(registry: Registry): Promise<Sample[]> {
  return parseScrape(await registry.metrics())
}

const ops = METRICS.operations.name

/** An in-process store treated as a network one: it gets reliability layers, and keeps its locks. */
class Remote extends PassThroughBackend {
  override readonly sync: undefined = undefined
  override readonly capabilities: BackendCapabilities
  constructor(next: Backend) {
    super(next)
    this.capabilities = Object.freeze({ ...next.capabilities, sync: false })
  }
}

describe('Prometheus metrics (prom-client, a real Registry)', () => {
  it('a scripted sequence of hits, misses, errors and breaker transitions, read back from the scrape', async () => {
    const registry = new Registry()
    const metrics = prometheusMetrics({ registry })
    const memory = new MemoryBackend()
    const store = new FaultyBackend(memory)
    const reliability = { breaker: { failureThreshold: 2, successThreshold: 1, recoveryMs: 40 } }
    const common = { backend: store, observe: metrics, reliability, logger: quiet() }
    const users = cache(async (id: number) => ({ id }), { ...common, namespace: 'users' })
    const orders = cache(async (id: number) => ({ order: id }), { ...common, namespace: 'orders', l1: false })

    // users: one miss, then two L1 hits.
    await users(1)
    await users(1)
    await users(1)
    // orders (no L1): one miss, then an L2 hit.
    await orders(1)
    await orders(1)
    let samples = await scrape(registry)
    expect(value(samples, ops, { namespace: 'users', operation: 'get', tier: 'l1', result: 'hit' })).toBe(2)
    expect(value(samples, ops, { namespace: 'users', operation: 'get', tier: 'l2', result: 'miss' })).toBe(1)
    expect(value(samples, ops, { namespace: 'users', operation: 'get', tier: 'l2', result: 'hit' })).toBe(0)
    expect(value(samples, ops, { namespace: 'orders', operation: 'get', tier: 'l2', result: 'hit' })).toBe(1)
    expect(value(samples, ops, { namespace: 'orders', operation: 'get', tier: 'l2', result: 'miss' })).toBe(1)
    // No L1 in orders: no L1 hit series for it.
    expect(select(samples, ops, { namespace: 'orders', tier: 'l1' })).toEqual([])
    const computed = `${METRICS.functionDuration.name}_count`
    expect(value(samples, computed, { namespace: 'users', outcome: 'ok' })).toBe(1)
    expect(value(samples, `${METRICS.valueSize.name}_count`, { namespace: 'orders' })).toBe(1)
    // The store commands were timed: every command the faulty store saw is in the histogram once.
    const l2Count = total(samples, `${METRICS.l2Duration.name}_count`, { backend: 'memory' })
    expect(l2Count).toBe(store.calls.length)
    expect(value(samples, METRICS.breakerState.name, { backend: 'memory', state: 'closed' })).toBe(1)
    expect(value(samples, METRICS.breakerState.name, { backend: 'memory', state: 'open' })).toBe(0)
    // L1 gauges are read on scrape: what info() says.
    const l1 = users.info().l1
    expect(value(samples, METRICS.l1Entries.name, { namespace: 'users' })).toBe(l1?.entries)
    expect(value(samples, METRICS.l1Bytes.name, { namespace: 'users' })).toBe(l1?.bytes)
    expect(value(samples, METRICS.l1MaxBytes.name, { namespace: 'users' })).toBe(l1?.maxBytes)

    // The store times out: two failures open the breaker, then operations are refused unsent.
    store.failWith('timeout')
    await orders(2) // read fails (1), the function runs, its write fails (2): the breaker opens
    await orders(3) // refused read, refused write
    samples = await scrape(registry)
    const info = orders.info()
    expect(info.breaker).toBe('open')
    expect(value(samples, METRICS.breakerState.name, { backend: 'memory', state: 'open' })).toBe(1)
    expect(value(samples, METRICS.breakerTransitions.name, { backend: 'memory', to: 'open' })).toBe(1)
    expect(
      value(samples, METRICS.l2Errors.name, { namespace: 'orders', operation: 'read', kind: 'timeout' }),
    ).toBe(1)
    expect(
      value(samples, METRICS.l2Errors.name, { namespace: 'orders', operation: 'write', kind: 'timeout' }),
    ).toBe(1)
    // Refusals by the open breaker are kind connection, and result rejected: as info() counts them.
    expect(total(samples, METRICS.l2Errors.name, { namespace: 'orders', kind: 'connection' })).toBe(
      info.l2Errors.connection,
    )
    expect(total(samples, ops, { namespace: 'orders', result: 'rejected' })).toBe(info.l2Rejected)
    expect(info.l2Rejected).toBe(2)
    expect(value(samples, ops, { namespace: 'orders', operation: 'get', tier: 'l2', result: 'error' })).toBe(
      1,
    )
    expect(value(samples, ops, { namespace: 'orders', operation: 'set', tier: 'l2', result: 'error' })).toBe(
      1,
    )
    expect(total(samples, METRICS.l2Errors.name, { namespace: 'orders' })).toBe(
      info.l2ReadErrors + info.l2WriteErrors,
    )
    // Failed commands are timed too; refused ones never reached the store and are not.
    expect(total(samples, `${METRICS.l2Duration.name}_count`, { backend: 'memory' })).toBe(
      store.calls.length + store.failures.length,
    )

    // Recovery: the store heals, a probe after recoveryMs closes the breaker.
    store.heal()
    await sleep(60)
    await orders(4)
    samples = await scrape(registry)
    expect(orders.info().breaker).toBe('closed')
    expect(value(samples, METRICS.breakerTransitions.name, { backend: 'memory', to: 'half-open' })).toBe(1)
    expect(value(samples, METRICS.breakerTransitions.name, { backend: 'memory', to: 'closed' })).toBe(1)
    expect(value(samples, METRICS.breakerState.name, { backend: 'memory', state: 'closed' })).toBe(1)

    // Misses agree with info() in every namespace; so do L1 hits.
    for (const fn of [users, orders]) {
      const { namespace, misses, l1Hits, l2Hits } = fn.info()
      expect(total(samples, ops, { namespace, result: 'miss' })).toBe(misses)
      expect(total(samples, ops, { namespace, tier: 'l1', result: 'hit' })).toBe(l1Hits)
      expect(total(samples, ops, { namespace, tier: 'l2', result: 'hit' })).toBe(l2Hits)
    }
  })

  it('L1 hits are counted on scrape, as the difference since the last one', async () => {
    const registry = new Registry()
    const fn = cache(async (n: number) => n * 2, {
      namespace: 'doubles',
      backend: null,
      observe: prometheusMetrics({ registry }),
    })
    await fn(1)
    for (let i = 0; i < 10; i++) await fn(1)
    const hits = { namespace: 'doubles', operation: 'get', tier: 'l1', result: 'hit' }
    expect(value(await scrape(registry), ops, hits)).toBe(10)
    // A scrape with no hits in between changes nothing; five more hits add five.
    expect(value(await scrape(registry), ops, hits)).toBe(10)
    for (let i = 0; i < 5; i++) await fn(1)
    expect(value(await scrape(registry), ops, hits)).toBe(15)
    // L1-only: misses are counted at tier l1, and there is no L2 series or store metric at all.
    const samples = await scrape(registry)
    expect(value(samples, ops, { namespace: 'doubles', operation: 'get', tier: 'l1', result: 'miss' })).toBe(
      1,
    )
    expect(select(samples, ops, { tier: 'l2' })).toEqual([])
    expect(select(samples, METRICS.breakerState.name)).toEqual([])
  })

  it('attaches no l1Hit observer: an L1 hit does no work for the metrics', () => {
    const events = new CacheEvents()
    const metrics = prometheusMetrics({ registry: new Registry() })
    metrics.attach({ config: { namespace: 'n', backend: null, l1: null }, events, stats: { l1Hits: 0 } })
    expect(events.wantsL1Hit).toBe(false)
  })

  it('integrity and decryption failures by reason and tier, as info() counts them', async () => {
    const registry = new Registry()
    const memory = new MemoryBackend()
    const observe = prometheusMetrics({ registry })
    const plain = cache(async (id: number) => ({ id }), {
      namespace: 'plain',
      backend: memory,
      l1: false,
      observe,
      logger: quiet(),
    })
    await memory.set(plain.key(1), Buffer.from('not an envelope at all'), 60)
    await plain(1)
    const masterKey = 'ab'.repeat(32)
    const sealed = cache(async (id: number) => ({ id }), {
      namespace: 'sealed',
      backend: memory,
      l1: false,
      masterKey,
      onDecryptError: 'miss',
      observe,
      logger: quiet(),
    })
    await sealed(1)
    const other = cache(async (id: number) => ({ id }), {
      namespace: 'sealed2',
      backend: memory,
      l1: false,
      masterKey: 'cd'.repeat(32),
      onDecryptError: 'miss',
      observe,
      logger: quiet(),
    })
    // An entry sealed with another key: authentication fails.
    await memory.set(other.key(1), (await memory.get(sealed.key(1))) as Buffer, 60)
    await other(1)
    const samples = await scrape(registry)
    expect(total(samples, METRICS.integrityFailures.name, { namespace: 'plain', tier: 'l2' })).toBe(
      plain.info().integrityErrors,
    )
    expect(plain.info().integrityErrors).toBe(1)
    expect(total(samples, METRICS.decryptFailures.name, { namespace: 'sealed2', tier: 'l2' })).toBe(
      other.info().decryptErrors,
    )
    expect(other.info().decryptErrors).toBe(1)
    const reasons = select(samples, METRICS.integrityFailures.name).map((s) => s.labels.reason)
    // The reason is the error code in lower case (never a message or a key).
    for (const reason of [
      ...reasons,
      ...select(samples, METRICS.decryptFailures.name).map((s) => s.labels.reason),
    ]) {
      expect(reason).toMatch(/^[a-z_]+$/)
    }
  })

  it('bounds namespace labels: past maxNamespaces they are counted under ~other', async () => {
    const registry = new Registry()
    const observe = prometheusMetrics({ registry, maxNamespaces: 2 })
    const fns = ['a', 'b', 'c', 'd'].map((namespace) =>
      cache(async () => namespace, { namespace, backend: null, observe }),
    )
    for (const fn of fns) await fn()
    const samples = await scrape(registry)
    const namespaces = new Set(select(samples, ops).map((s) => s.labels.namespace))
    expect([...namespaces].sort()).toEqual(['a', 'b', OTHER_NAMESPACES].sort())
    expect(
      value(samples, ops, { namespace: OTHER_NAMESPACES, operation: 'get', tier: 'l1', result: 'miss' }),
    ).toBe(2)
  })

  it('creates the metrics once per registry', async () => {
    const registry = new Registry()
    const first = prometheusMetrics({ registry })
    expect(prometheusMetrics({ registry })).toBe(first)
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort()
    expect(names).toEqual(
      Object.values(METRICS)
        .map((m) => m.name)
        .sort(),
    )
    expect(() => prometheusMetrics({ registry, maxNamespaces: 5 })).toThrow(/maxNamespaces 100, now 5/)
    expect(prometheusMetrics({ registry: new Registry() })).not.toBe(first)
  })

  it('refuses a registry that already has one of its names, a bad maxNamespaces and a non-registry', async () => {
    const client = await import('prom-client')
    const registry = new Registry()
    new client.Counter({ name: 'cachekit_operations_total', help: 'someone else', registers: [registry] })
    expect(() => prometheusMetrics({ registry })).toThrow(
      /already has a metric named cachekit_operations_total/,
    )
    expect(() => prometheusMetrics({ registry: new Registry(), maxNamespaces: 0 })).toThrow(
      /positive integer/,
    )
    expect(() => prometheusMetrics({ registry: {} as never })).toThrow(/must be a prom-client Registry/)
  })

  it('counts coalesced calls, undefined results, refreshes, bypasses, invalidations and failed functions', async () => {
    const registry = new Registry()
    const observe = prometheusMetrics({ registry })
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const slow = cache(
      async (n: number) => {
        await gate
        return n
      },
      { namespace: 'slow', backend: null, observe },
    )
    const calls = [slow(1), slow(1), slow(1)]
    release()
    await Promise.all(calls)
    const nothing = cache(async () => undefined, { namespace: 'nothing', backend: null, observe })
    await nothing()
    await slow.refresh(1)
    await slow.bypass(1)
    await slow.invalidate(1)
    await slow.clear()
    const failing = cache(
      async () => {
        throw new Error('boom')
      },
      { namespace: 'failing', backend: null, observe },
    )
    await expect(failing()).rejects.toThrow('boom')
    const by = createCache({ namespace: 'bykey', backend: null, observe })
    await by.set('k', 1)
    expect(await by.get('k')).toBe(1)
    const samples = await scrape(registry)
    expect(value(samples, METRICS.coalesced.name, { namespace: 'slow' })).toBe(slow.info().coalesced)
    expect(slow.info().coalesced).toBe(2)
    expect(value(samples, METRICS.undefinedResults.name, { namespace: 'nothing' })).toBe(1)
    expect(value(samples, METRICS.refreshes.name, { namespace: 'slow' })).toBe(1)
    expect(value(samples, METRICS.bypasses.name, { namespace: 'slow' })).toBe(1)
    expect(value(samples, METRICS.invalidations.name, { namespace: 'slow', scope: 'key' })).toBe(1)
    expect(value(samples, METRICS.invalidations.name, { namespace: 'slow', scope: 'prefix' })).toBe(1)
    expect(
      value(samples, `${METRICS.functionDuration.name}_count`, { namespace: 'failing', outcome: 'error' }),
    ).toBe(1)
    expect(value(samples, ops, { namespace: 'bykey', operation: 'get', tier: 'l1', result: 'hit' })).toBe(1)
  })

  it('stale values served, background refreshes and distributed locks, with the lock commands timed', async () => {
    const registry = new Registry()
    let runs = 0
    const fn = cache(async () => ++runs, {
      namespace: 'fresh',
      backend: new Remote(new MemoryBackend()),
      ttl: 1,
      staleWhileRevalidate: 30,
      lock: true,
      observe: prometheusMetrics({ registry }),
      logger: quiet(),
    })
    expect(await fn()).toBe(1) // a cold key: the lock is taken, the function runs
    await sleep(1100)
    expect(await fn()).toBe(1) // past its TTL, within the window: served stale, refreshed behind
    await sleep(100)
    const samples = await scrape(registry)
    const { stale, lock } = fn.info()
    expect(stale.served.swr).toBe(1)
    expect(value(samples, METRICS.stale.name, { namespace: 'fresh', reason: 'swr' })).toBe(stale.served.swr)
    expect(value(samples, ops, { namespace: 'fresh', operation: 'get', tier: 'l2', result: 'stale' })).toBe(1)
    expect(stale.backgroundRefreshes).toBe(1)
    expect(value(samples, METRICS.backgroundRefreshes.name, { namespace: 'fresh', outcome: 'ok' })).toBe(1)
    expect(lock.acquired).toBeGreaterThanOrEqual(1)
    expect(value(samples, METRICS.lock.name, { namespace: 'fresh', outcome: 'acquired' })).toBe(lock.acquired)
    const timed = (operation: string) =>
      total(samples, `${METRICS.l2Duration.name}_count`, { backend: 'memory', operation })
    expect(timed('acquireLock')).toBe(lock.acquired)
    expect(timed('releaseLock')).toBe(lock.acquired)
  })
})
