import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryBackend } from '../../src/backends/memory.js'
import { CacheEvents } from '../../src/cache/events.js'
import { keyRef } from '../../src/cache/logger.js'
import { BackendError, cache } from '../../src/index.js'
import { DIAGNOSTICS_CHANNELS, instrumentsFor } from '../../src/observability/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

const quiet = () => ({ warn: vi.fn(), info: vi.fn(), debug: vi.fn() })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

type Name = keyof typeof DIAGNOSTICS_CHANNELS
const subscriptions: Array<[string, (message: unknown) => void]> = []

/** Subscribes to channels; returns what each received, in order. */
function listen(...names: Name[]): Record<Name, unknown[]> {
  const seen = {} as Record<Name, unknown[]>
  for (const name of names) {
    const got: unknown[] = []
    seen[name] = got
    const handler = (message: unknown) => got.push(message)
    subscribe(DIAGNOSTICS_CHANNELS[name], handler)
    subscriptions.push([DIAGNOSTICS_CHANNELS[name], handler])
  }
  return seen
}

afterEach(() => {
  for (const [name, handler] of subscriptions.splice(0)) unsubscribe(name, handler)
})

describe('diagnostics_channel events', () => {
  it('hits of both tiers, misses, coalesced calls and computations, with a key reference only', async () => {
    const seen = listen('hit', 'miss', 'coalesced', 'computed')
    const fn = cache(async (id: string) => ({ id }), {
      namespace: 'dc',
      backend: new MemoryBackend(),
      l1: false,
    })
    const key = fn.key('user-secret')
    await Promise.all([fn('user-secret'), fn('user-secret')])
    await fn('user-secret')
    const local = cache(async (id: string) => ({ id }), { namespace: 'dc-local', backend: null })
    await local('user-secret')
    await local('user-secret')
    const ref = keyRef(key)
    expect(seen.miss).toEqual([
      { namespace: 'dc', keyRef: ref },
      { namespace: 'dc-local', keyRef: keyRef(local.key('user-secret')) },
    ])
    expect(seen.coalesced).toEqual([{ namespace: 'dc', keyRef: ref }])
    expect(seen.hit).toEqual([
      { namespace: 'dc', keyRef: ref, tier: 'l2' },
      { namespace: 'dc-local', keyRef: keyRef(local.key('user-secret')), tier: 'l1' },
    ])
    expect(seen.computed).toEqual([
      { namespace: 'dc', keyRef: ref, durationMs: expect.any(Number), ok: true },
      {
        namespace: 'dc-local',
        keyRef: keyRef(local.key('user-secret')),
        durationMs: expect.any(Number),
        ok: true,
      },
    ])
    expect(JSON.stringify(seen)).not.toContain('user-secret')
  })

  it('an L1 hit is reported only while the hit channel has a subscriber', () => {
    const events = new CacheEvents()
    const [diagnostics] = instrumentsFor(undefined)
    diagnostics?.attach({ config: { namespace: 'n', backend: null, l1: null }, events, stats: { l1Hits: 0 } })
    expect(events.wantsL1Hit).toBe(false)
    const handler = () => {}
    subscribe(DIAGNOSTICS_CHANNELS.hit, handler)
    expect(events.wantsL1Hit).toBe(true)
    unsubscribe(DIAGNOSTICS_CHANNELS.hit, handler)
    expect(events.wantsL1Hit).toBe(false)
    // An observer that wants every L1 hit still gets them.
    events.observe({ l1Hit: () => {} })
    expect(events.wantsL1Hit).toBe(true)
  })

  it('L2 errors with kind and code, refused entries, and breaker transitions', async () => {
    const seen = listen('l2Error', 'refused', 'breaker')
    const memory = new MemoryBackend()
    const store = new FaultyBackend(memory)
    const fn = cache(async (id: number) => ({ id }), {
      namespace: 'dc-errors',
      backend: store,
      l1: false,
      logger: quiet(),
      reliability: { breaker: { failureThreshold: 1, successThreshold: 1, recoveryMs: 30 } },
    })
    await memory.set(fn.key(0), Buffer.from('garbage'), 60)
    await fn(0)
    store.failWith('connection')
    await fn(1)
    store.heal()
    await sleep(50)
    await fn(2)
    expect(seen.refused).toEqual([
      {
        namespace: 'dc-errors',
        keyRef: keyRef(fn.key(0)),
        code: expect.stringMatching(/^[A-Z_]+$/),
        decryption: false,
      },
    ])
    const [failed, refused] = seen.l2Error as Array<Record<string, unknown>>
    expect(failed).toMatchObject({
      namespace: 'dc-errors',
      keyRef: keyRef(fn.key(1)),
      operation: 'read',
      kind: 'connection',
      code: 'REDIS_ERROR',
    })
    expect(failed?.error).toBeInstanceOf(BackendError)
    // The open breaker refused the write that followed.
    expect(refused).toMatchObject({ operation: 'write', kind: 'connection', code: 'CIRCUIT_OPEN' })
    expect(seen.breaker).toEqual([
      {
        backend: 'memory',
        from: 'closed',
        to: 'open',
        reason: expect.stringContaining('1 consecutive failures'),
      },
      { backend: 'memory', from: 'open', to: 'half-open', reason: expect.any(String) },
      { backend: 'memory', from: 'half-open', to: 'closed', reason: '1 probes succeeded' },
    ])
  })

  it('operations shed by backpressure', async () => {
    const seen = listen('shed')
    const store = new FaultyBackend(new MemoryBackend())
    const fn = cache(async (id: number) => id, {
      namespace: 'dc-shed',
      backend: store,
      l1: false,
      logger: quiet(),
      reliability: { backpressure: { maxConcurrent: 1, maxWaiting: 0 }, timeoutMs: 1000 },
    })
    store.hang()
    const first = fn(1)
    await sleep(5)
    await fn(2) // the only slot is taken: its read is shed, then its write too
    store.release()
    await first
    expect(seen.shed.length).toBeGreaterThanOrEqual(1)
    expect(seen.shed[0]).toEqual({ backend: 'memory', operation: 'get' })
    expect(fn.info().l2Shed).toBe(seen.shed.length)
  })
})
