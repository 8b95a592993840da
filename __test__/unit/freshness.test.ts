import { afterEach, describe, expect, it, vi } from 'vitest'
import { cache, FunctionTimeoutError, MemoryBackend } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

const quiet = () => ({ warn: vi.fn(), debug: () => {} })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Moves the wall clock (Date.now) only: L1, MemoryBackend and lock leases read it; timers stay real. */
function clock() {
  vi.useFakeTimers({ toFake: ['Date'] })
  return { advance: (ms: number) => vi.setSystemTime(Date.now() + ms) }
}

afterEach(() => {
  vi.useRealTimers()
})

/** A function whose result and behaviour the test changes as it goes. */
function source<T>(initial: T) {
  const state = { value: initial as T, fail: false, delayMs: 0, calls: 0 }
  const fn = async (_id: number): Promise<T> => {
    state.calls++
    if (state.delayMs > 0) await sleep(state.delayMs)
    if (state.fail) throw new Error('the database is down')
    return state.value
  }
  return { state, fn }
}

describe('TTL jitter', () => {
  it('spreads the TTLs of keys written together over ±10 % by default, in both tiers', async () => {
    const backend = new MemoryBackend()
    const get = cache(async (id: number) => id, { namespace: 'jitter', ttl: 100, backend })
    const ttls = new Set<number>()
    for (let id = 0; id < 200; id++) {
      await get(id)
      const ttl = (await backend.ttl(get.key(id))) as number
      expect(ttl).toBeGreaterThanOrEqual(90)
      expect(ttl).toBeLessThanOrEqual(110)
      ttls.add(ttl)
    }
    expect(ttls.size).toBeGreaterThan(10)
  })

  it('ttlJitter: false writes exact TTLs; other spreads are taken as given', async () => {
    const backend = new MemoryBackend()
    const exact = cache(async (id: number) => id, { namespace: 'exact', ttl: 100, backend, ttlJitter: false })
    const wide = cache(async (id: number) => id, { namespace: 'wide', ttl: 100, backend, ttlJitter: 0.5 })
    const seen = new Set<number>()
    for (let id = 0; id < 50; id++) {
      await exact(id)
      await wide(id)
      expect(await backend.ttl(exact.key(id))).toBe(100)
      seen.add((await backend.ttl(wide.key(id))) as number)
    }
    expect(Math.min(...seen)).toBeLessThan(80)
    expect(Math.max(...seen)).toBeGreaterThan(120)
  })
})

describe('stale-while-revalidate', () => {
  it('serves the stale value at once and refreshes it once in the background, however many callers', async () => {
    const { state, fn } = source('v1')
    const get = cache(fn, {
      namespace: 'swr',
      ttl: 1,
      staleWhileRevalidate: '10s',
      backend: new MemoryBackend(),
    })
    const time = clock()
    expect(await get(1)).toBe('v1')
    state.value = 'v2'
    state.delayMs = 30
    time.advance(1500)
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(1)))
    expect(answers).toEqual(Array(10).fill('v1'))
    await sleep(80)
    expect(state.calls).toBe(2)
    expect(await get(1)).toBe('v2')
    expect(get.info().stale).toMatchObject({ served: { swr: 1 }, backgroundRefreshes: 1 })
  })

  it('keeps serving the stale value when the background refresh fails, and counts it', async () => {
    const { state, fn } = source('v1')
    const logger = quiet()
    const get = cache(fn, {
      namespace: 'swr-fail',
      ttl: 1,
      staleWhileRevalidate: 10,
      backend: new MemoryBackend(),
      logger,
    })
    const time = clock()
    await get(1)
    state.fail = true
    time.advance(1500)
    expect(await get(1)).toBe('v1')
    await sleep(20)
    expect(await get(1)).toBe('v1')
    await sleep(20)
    expect(get.info().stale.backgroundRefreshFailures).toBe(2)
    expect(logger.warn).toHaveBeenCalled()
  })

  it('is shared through L2: another process serves the stale entry too, without computing first', async () => {
    const backend = new MemoryBackend()
    const { state, fn } = source('v1')
    const here = cache(fn, { namespace: 'swr-l2', ttl: 1, staleWhileRevalidate: 10, backend })
    const there = cache(fn, { namespace: 'swr-l2', ttl: 1, staleWhileRevalidate: 10, backend, l1: false })
    const time = clock()
    await here(1)
    time.advance(1500)
    state.value = 'v2'
    expect(await there(1)).toBe('v1')
    await sleep(20)
    expect(await there(1)).toBe('v2')
  })

  it('past the window the caller waits for the function again', async () => {
    const { state, fn } = source('v1')
    const get = cache(fn, {
      namespace: 'swr-past',
      ttl: 1,
      staleWhileRevalidate: 2,
      backend: new MemoryBackend(),
    })
    const time = clock()
    await get(1)
    state.value = 'v2'
    time.advance(3500)
    expect(await get(1)).toBe('v2')
    expect(get.info().stale.served.swr).toBe(0)
  })
})

describe('grace', () => {
  it('answers a failure of the function with the value within its grace period, logged once', async () => {
    const { state, fn } = source({ n: 1 })
    const logger = quiet()
    const get = cache(fn, { namespace: 'grace', ttl: 1, grace: '1h', backend: new MemoryBackend(), logger })
    const time = clock()
    await get(1)
    state.fail = true
    time.advance(5000)
    expect(await get(1)).toEqual({ n: 1 })
    expect(await get(1)).toEqual({ n: 1 })
    expect(get.info().stale.served['grace-error']).toBe(2)
    expect(logger.warn.mock.calls.filter(([fields]) => fields.event === 'grace-served')).toHaveLength(1)
    state.fail = false
    state.value = { n: 2 }
    expect(await get(1)).toEqual({ n: 2 })
  })

  it('without grace (the default), a failing function fails the call as before', async () => {
    const { state, fn } = source('v1')
    const get = cache(fn, { namespace: 'no-grace', ttl: 1, backend: new MemoryBackend() })
    const time = clock()
    await get(1)
    state.fail = true
    time.advance(1500)
    await expect(get(1)).rejects.toThrow('the database is down')
  })

  it('past the grace period the failure reaches the caller', async () => {
    const { state, fn } = source('v1')
    const get = cache(fn, {
      namespace: 'grace-past',
      ttl: 1,
      grace: 2,
      backend: new MemoryBackend(),
      logger: quiet(),
    })
    const time = clock()
    await get(1)
    state.fail = true
    time.advance(4000)
    await expect(get(1)).rejects.toThrow('the database is down')
  })

  it('when the store fails, serves the L1 value within grace and refreshes in the background', async () => {
    const faulty = new FaultyBackend(new MemoryBackend())
    const { state, fn } = source('v1')
    const get = cache(fn, { namespace: 'grace-store', ttl: 1, grace: 60, backend: faulty, logger: quiet() })
    const time = clock()
    await get(1)
    faulty.failWith('connection')
    state.value = 'v2'
    time.advance(2000)
    expect(await get(1)).toBe('v1')
    expect(get.info().stale.served['grace-backend']).toBe(1)
    await sleep(20)
    expect(state.calls).toBe(2)
    expect(await get(1)).toBe('v2')
  })
})

describe('refresh-ahead', () => {
  it('a hit with less than the ratio of the TTL left is served and refreshed in the background', async () => {
    const { state, fn } = source('v1')
    const get = cache(fn, {
      namespace: 'ahead',
      ttl: 10,
      refreshAhead: 0.5,
      ttlJitter: false,
      backend: new MemoryBackend(),
    })
    const time = clock()
    await get(1)
    state.value = 'v2'
    time.advance(4000)
    expect(await get(1)).toBe('v1')
    expect(state.calls).toBe(1)
    time.advance(2000)
    expect(await get(1)).toBe('v1')
    await sleep(20)
    expect(state.calls).toBe(2)
    expect(await get(1)).toBe('v2')
    expect(get.info().stale.backgroundRefreshes).toBe(1)
  })
})

describe('function timeouts', () => {
  it('past the soft timeout a caller with a stale value gets it; the function goes on and stores its value', async () => {
    const { state, fn } = source('v1')
    const get = cache(fn, {
      namespace: 'soft',
      ttl: 1,
      grace: 60,
      computeTimeout: { softMs: 20 },
      backend: new MemoryBackend(),
    })
    const time = clock()
    await get(1)
    state.value = 'v2'
    state.delayMs = 150
    time.advance(1500)
    const started = performance.now()
    expect(await get(1)).toBe('v1')
    expect(performance.now() - started).toBeLessThan(140)
    expect(get.info().stale.served['soft-timeout']).toBe(1)
    // A caller arriving while the function still runs joins it instead of starting another.
    expect(await get(1)).toBe('v1')
    await sleep(200)
    expect(state.calls).toBe(2)
    expect(await get(1)).toBe('v2')
  })

  it('past the hard timeout the caller gets FunctionTimeoutError; the value lands when the function ends', async () => {
    const { state, fn } = source('late')
    state.delayMs = 120
    const get = cache(fn, { namespace: 'hard', computeTimeout: { hardMs: 30 }, backend: new MemoryBackend() })
    const failure = await get(1).catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(FunctionTimeoutError)
    expect(failure).toMatchObject({ code: 'FUNCTION_TIMEOUT' })
    expect(get.info().computeTimeouts).toBe(1)
    await sleep(150)
    expect(await get(1)).toBe('late')
    expect(state.calls).toBe(1)
  })
})

describe('distributed single-flight', () => {
  it('two caches on one store (two processes) run a cold key once; the other waits for the value', async () => {
    const backend = new MemoryBackend()
    const { state, fn } = source({ n: 1 })
    state.delayMs = 40
    const a = cache(fn, { namespace: 'lock', lock: true, backend })
    const b = cache(fn, { namespace: 'lock', lock: true, backend })
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, () => a(1)),
      ...Array.from({ length: 10 }, () => b(1)),
    ])
    expect(answers).toEqual(Array(20).fill({ n: 1 }))
    expect(state.calls).toBe(1)
    const outcomes = [a.info().lock, b.info().lock]
    expect(outcomes.map((o) => o.acquired).sort()).toEqual([0, 1])
    expect(outcomes.map((o) => o.waited).sort()).toEqual([0, 1])
  })

  it('a waiter computes after waitMs rather than hang when the holder takes too long', async () => {
    const backend = new MemoryBackend()
    const { state, fn } = source('slow')
    state.delayMs = 200
    const a = cache(fn, { namespace: 'lock-wait', lock: { waitMs: 30 }, backend })
    const b = cache(fn, { namespace: 'lock-wait', lock: { waitMs: 30 }, backend })
    const first = a(1)
    await sleep(5)
    const started = performance.now()
    expect(await b(1)).toBe('slow')
    expect(performance.now() - started).toBeLessThan(350)
    expect(b.info().lock.fellThrough).toBe(1)
    await first
    expect(state.calls).toBe(2)
  })

  it('a holder whose lease ran out does not release the lock another process took since', async () => {
    const backend = new MemoryBackend()
    const time = clock()
    expect(await backend.locks.acquire('k', 'first', 50)).toBe(true)
    expect(await backend.locks.acquire('k', 'second', 50)).toBe(false)
    time.advance(60)
    expect(await backend.locks.acquire('k', 'second', 50)).toBe(true)
    expect(await backend.locks.release('k', 'first')).toBe(false)
    expect(await backend.locks.acquire('k', 'third', 50)).toBe(false)
    expect(await backend.locks.release('k', 'second')).toBe(true)
  })

  it('is off by default and on in cache.production where the store has locks', async () => {
    const backend = new MemoryBackend()
    const { state, fn } = source('v')
    state.delayMs = 20
    const a = cache.production(fn, { namespace: 'prod-lock', backend })
    const b = cache.production(fn, { namespace: 'prod-lock', backend })
    await Promise.all([a(1), b(1)])
    expect(state.calls).toBe(1)
    const plain = cache(fn, { namespace: 'plain-lock', backend })
    await plain(1)
    expect(plain.info().lock).toEqual({ acquired: 0, waited: 0, fellThrough: 0 })
  })
})

describe('the options are checked at wrap time', () => {
  const backend = new MemoryBackend()
  const wrap = (options: Record<string, unknown>) => () =>
    cache(async (id: number) => id, { namespace: 'checked', backend, ...options })
  it.each([
    [{ staleWhileRevalidate: 'soon' }, 'INVALID_TTL'],
    [{ grace: -1 }, 'INVALID_TTL'],
    [{ refreshAhead: 1.5 }, 'INVALID_OPTION'],
    [{ refreshAhead: 0 }, 'INVALID_OPTION'],
    [{ ttlJitter: 0.9 }, 'INVALID_OPTION'],
    [{ computeTimeout: { softMs: 100, hardMs: 50 } }, 'INVALID_OPTION'],
    [{ computeTimeout: { soft: 100 } }, 'UNKNOWN_OPTION'],
    [{ lock: { lease: 1 } }, 'UNKNOWN_OPTION'],
    [{ lock: true, backend: null }, 'LOCK_UNSUPPORTED'],
    [{ stale: '1m' }, 'UNKNOWN_OPTION'],
  ])('%o is refused (%s)', (options, code) => {
    expect(wrap(options)).toThrow(expect.objectContaining({ code }))
  })

  it('a synchronous function cannot use what needs waiting or background work', () => {
    expect(() =>
      cache((id: number) => id, { namespace: 'sync-swr', backend: null, staleWhileRevalidate: 10 }),
    ).toThrow(expect.objectContaining({ code: 'ASYNC_ONLY_OPTION' }))
  })
})
