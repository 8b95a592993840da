/** How RedisBackend's own connection behaves at start-up, while disconnected and when it goes silent. */
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendError, cache, RedisBackend } from '../../src/index.js'
import { TimeoutBackend } from '../../src/reliability/timeout.js'
import { FaultProxy } from '../support/fault-proxy.js'
import { freePort } from '../support/redis-server.js'
import { RedisProcess } from './redis-process.js'

const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const quiet = { warn() {} }

async function server(args: readonly string[] = []): Promise<RedisProcess> {
  const started = await RedisProcess.start(args)
  cleanups.push(() => started.stop())
  return started
}

function backend(url: string, reliability?: ConstructorParameters<typeof RedisBackend>[0]['reliability']) {
  const made = new RedisBackend({ url, ...(reliability === undefined ? {} : { reliability }) })
  cleanups.push(() => made.close())
  return made
}

function rawClient(url: string): Redis {
  const raw = new Redis(url)
  raw.on('error', () => {})
  cleanups.push(() => raw.disconnect())
  return raw
}

async function failure(call: Promise<unknown>): Promise<{ err: BackendError; ms: number }> {
  const started = performance.now()
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(BackendError)
  return { err: err as BackendError, ms: performance.now() - started }
}

describe('RedisBackend at start-up', () => {
  it('the first commands wait for the connection: a cold start is not a burst of failures', async () => {
    const redis = await server()
    const store = backend(redis.url)
    const fn = cache(async (n: number) => n * 3, {
      namespace: 'cold',
      backend: store,
      l1: false,
      logger: quiet,
    })
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) => fn(i)))
    expect(results).toEqual(Array.from({ length: 32 }, (_, i) => i * 3))
    expect(fn.info()).toMatchObject({ breaker: 'closed', errors: 0 })
    const raw = rawClient(redis.url)
    const stored = await Promise.all(Array.from({ length: 32 }, (_, i) => raw.exists(fn.key(i))))
    expect(stored.every((n) => n === 1)).toBe(true)
  })

  it('with nothing listening, the first commands fail as connection failures once their deadline passes', async () => {
    const store = backend(`redis://127.0.0.1:${await freePort()}`, { timeoutMs: 150 })
    const { err, ms } = await failure(store.get('k'))
    expect(err.kind).toBe('connection')
    expect(err.message).toMatch(/not connected within 150 ms of the first command/)
    expect(ms).toBeGreaterThanOrEqual(140)
    expect(ms).toBeLessThan(1000)
  })
})

describe('RedisBackend while disconnected', () => {
  it('commands fail at once instead of waiting in an offline queue', async () => {
    const redis = await server()
    const store = backend(redis.url)
    await store.set('k', Buffer.from('v'), 60)
    await redis.kill()
    await sleep(50)
    for (let i = 0; i < 5; i++) {
      const { err, ms } = await failure(store.get('k'))
      expect(err.kind).toBe('connection')
      expect(ms).toBeLessThan(100)
    }
  })

  it('a command in flight when its connection drops fails at once and is never sent later', async () => {
    const redis = await server()
    const proxy = await FaultProxy.start(redis.port)
    cleanups.push(() => proxy.close())
    const store = backend(proxy.url)
    await store.set('warm', Buffer.from('v'), 60)
    proxy.stall()
    const writing = failure(store.set('late', Buffer.from('v'), 60))
    await sleep(20)
    proxy.reset()
    const { err, ms } = await writing
    expect(err.kind).toBe('connection')
    expect(ms).toBeLessThan(150)
    proxy.pass()
    // Reconnected (backoff at most 1 s), the write was not re-sent behind the caller's back.
    await expect.poll(() => store.exists('warm'), { timeout: 3000, interval: 50 }).toBe(true)
    expect(await rawClient(redis.url).exists('late')).toBe(0)
  })

  it('a connection that stays silent for a whole deadline is dropped and re-made', async () => {
    const redis = await server()
    const proxy = await FaultProxy.start(redis.port)
    cleanups.push(() => proxy.close())
    const store = backend(proxy.url)
    await store.set('k', Buffer.from('v'), 60)
    const before = proxy.accepted
    proxy.blackhole()
    // Silent with a command in flight for a deadline (200 ms, checked every 100 ms): dropped, and the
    // command with it, long before the client's own 1 s command timeout.
    const { err, ms } = await failure(store.get('k'))
    expect(err.kind).toBe('connection')
    expect(ms).toBeLessThan(700)
    proxy.pass()
    // The black-holed connection stays dead; only a new one can answer.
    await expect
      .poll(async () => (await store.get('k'))?.toString() ?? null, { timeout: 3000, interval: 50 })
      .toBe('v')
    expect(proxy.accepted).toBeGreaterThan(before)
  })
})

describe('deadlines and a blocked event loop', () => {
  it('an answer that arrived while the event loop was blocked past its deadline is delivered, not a timeout', async () => {
    const redis = await server()
    const store = backend(redis.url, { timeoutMs: 50 })
    await store.set('k', Buffer.from('v'), 60)
    const bounded = new TimeoutBackend(store, 50)
    const reading = bounded.get('k')
    // The GET is on the wire; the reply waits in the socket while this turn runs three deadlines long.
    const until = performance.now() + 150
    while (performance.now() < until) {}
    expect((await reading)?.toString()).toBe('v')
  })
})

describe('a blocked event loop', () => {
  it('does not get a healthy connection dropped for silence', async () => {
    const redis = await server(['--enable-debug-command', 'yes'])
    const store = backend(redis.url)
    await store.set('k', Buffer.from('v'), 60)
    let connections = 0
    store.client.on('connect', () => connections++)
    // The server sleeps 150 ms: our GET is answered then, from another process.
    const sleeper = rawClient(redis.url)
    const asleep = sleeper.call('DEBUG', 'SLEEP', '0.15')
    await sleep(10)
    const reading = store.get('k')
    // The watch sees the GET in flight and nothing heard...
    await sleep(120)
    // ...then this loop is blocked (in its check phase, so timers run next, before I/O) while the
    // answer arrives: when it runs again, the answer is read before silence is judged.
    await new Promise((resolve) => setImmediate(resolve))
    const until = performance.now() + 300
    while (performance.now() < until) {}
    expect((await reading)?.toString()).toBe('v')
    await asleep
    await sleep(250)
    expect(connections).toBe(0)
  })
})

describe('health() on a real Redis', () => {
  it('is healthy with the PING latency; unhealthy once the server is frozen; the breaker state comes along', async () => {
    const redis = await server()
    const store = backend(redis.url)
    const fn = cache(async (n: number) => n, {
      namespace: 'health',
      backend: store,
      l1: false,
      logger: quiet,
    })
    expect(await fn(1)).toBe(1)
    const up = await store.health()
    expect(up).toMatchObject({ status: 'healthy', reasons: [], connection: 'ready' })
    expect(up.latencyMs).toBeLessThan(100)
    expect(await fn.health()).toMatchObject({ status: 'healthy', backend: 'redis', breaker: 'closed' })
    redis.pause()
    try {
      for (let i = 0; i < 10; i++) expect(await fn(i)).toBe(i)
      const down = await fn.health()
      expect(down.status).toBe('unhealthy')
      expect(down.breaker).toBe('open')
      expect(down.reasons.join(' ')).toMatch(/PING failed|not connected/)
      expect(down.reasons.join(' ')).toMatch(/circuit breaker open/)
    } finally {
      redis.resume()
    }
  })

  it('a function that throws on a live Redis never opens the breaker', async () => {
    const redis = await server()
    const boom = new Error('the function failed')
    const fn = cache(
      async (_n: number): Promise<number> => {
        throw boom
      },
      { namespace: 'throws', backend: backend(redis.url), logger: quiet },
    )
    for (let i = 0; i < 50; i++) await expect(fn(i)).rejects.toBe(boom)
    expect(fn.info()).toMatchObject({ breaker: 'closed', errors: 0 })
  })
})
