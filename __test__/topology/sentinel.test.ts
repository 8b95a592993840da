/**
 * RedisBackend on a real Sentinel set (a primary, a replica, three sentinels with quorum 2, on
 * loopback): the backend contract, a cache on it (hits, by-key reads, invalidation, locks), then
 * the primary handed over by the sentinels while it stays up (SENTINEL FAILOVER: the old one turns
 * replica and answers writes with READONLY) and then killed (SIGKILL): the calls meanwhile (values,
 * latency, misses, breaker), and the connection following the primary.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cache, createCache, RedisBackend } from '../../src/index.js'
import { registerBackendContract } from '../contract/backend-contract.js'
import { type RedisSentinelProcesses, startRedisSentinel } from '../support/redis-sentinel.js'
import { freePort } from '../support/redis-server.js'
import { loadThroughFailover } from './failover-load.js'

let processes: RedisSentinelProcesses
const cleanups: Array<() => unknown> = []

beforeAll(async () => {
  processes = await startRedisSentinel({ downAfterMs: 1000, failoverTimeoutMs: 3000 })
})
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  await processes?.stop()
})

const quiet = { warn() {} }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function sentinelOptions() {
  return { name: processes.name, sentinels: processes.sentinelAddresses }
}

/**
 * Two processes (two backends) with L1 on: once the second has read a key into its L1, a write of
 * the first reaches it through the bus (it serves the new value, not its L1 copy).
 */
async function expectCoherentL1(namespace: string): Promise<void> {
  const one = createCache({ namespace, ttl: 60, backend: sentinelBackend(), logger: quiet })
  const two = createCache({ namespace, ttl: 60, backend: sentinelBackend(), logger: quiet })
  await one.set('price', 100)
  expect(await two.get('price')).toBe(100)
  expect(await two.get('price')).toBe(100)
  const l1Before = two.info().l1Hits
  expect(l1Before).toBeGreaterThan(0)
  await one.set('price', 120)
  const deadline = Date.now() + 2000
  let seen = await two.get('price')
  while (seen !== 120 && Date.now() < deadline) {
    await sleep(20)
    seen = await two.get('price')
  }
  expect(seen).toBe(120)
}

function sentinelBackend(options: Partial<ConstructorParameters<typeof RedisBackend>[0]> = {}): RedisBackend {
  const backend = new RedisBackend({ sentinel: sentinelOptions(), ...options })
  cleanups.push(() => backend.close())
  return backend
}

/** A plain connection to one server, for looking at what it holds. */
function serverClient(port: number): Redis {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  cleanups.push(() => client.disconnect())
  return client
}

registerBackendContract({
  name: 'redis through sentinel',
  capabilities: { prefixDelete: true, remainingTtl: true, sync: false },
  create: () => new RedisBackend({ sentinel: sentinelOptions() }),
  // Another process, asking the sentinels in another order.
  peer: () =>
    new RedisBackend({
      sentinel: { ...sentinelOptions(), sentinels: [...processes.sentinelAddresses].reverse() },
    }),
  afterClose: 'rejects',
  unreachable: async () =>
    new RedisBackend({ sentinel: { name: 'mymaster', sentinels: [`127.0.0.1:${await freePort()}`] } }),
})

describe('a cache on a Sentinel-managed primary', () => {
  it('cached calls are stored on the primary the sentinels name, and a second process hits L2', async () => {
    let runs = 0
    const compute = async (n: number) => {
      runs++
      return { n, double: 2 * n }
    }
    const first = cache(compute, {
      namespace: 'doubles',
      backend: sentinelBackend(),
      l1: false,
      logger: quiet,
    })
    const inputs = Array.from({ length: 50 }, (_, i) => i)
    await Promise.all(inputs.map((n) => first(n)))
    expect(runs).toBe(50)
    const primary = await processes.primary()
    expect((await serverClient(primary.port).keys('ck:doubles:*')).length).toBe(50)

    const second = cache(compute, {
      namespace: 'doubles',
      backend: sentinelBackend(),
      l1: false,
      logger: quiet,
    })
    expect(await Promise.all(inputs.map((n) => second(n)))).toEqual(inputs.map((n) => ({ n, double: 2 * n })))
    expect(runs).toBe(50)
    expect(second.info()).toMatchObject({ l2Hits: 50, misses: 0, errors: 0 })
  })

  it('by-key reads, invalidation and clear, and locks across two processes', async () => {
    const writer = createCache({ namespace: 'orders', ttl: 60, backend: sentinelBackend(), logger: quiet })
    const reader = createCache({ namespace: 'orders', ttl: 60, backend: sentinelBackend(), logger: quiet })
    await writer.setMany(
      Array.from({ length: 40 }, (_, i) => [`${i < 20 ? 'open' : 'done'}:${i}`, i] as const),
    )
    const keys = Array.from({ length: 40 }, (_, i) => `${i < 20 ? 'open' : 'done'}:${i}`)
    expect(await reader.getMany(keys)).toEqual(keys.map((_, i) => i))
    await writer.invalidate('open:')
    const fresh = createCache({ namespace: 'orders', ttl: 60, backend: sentinelBackend(), logger: quiet })
    expect(await fresh.getMany(keys)).toEqual(keys.map((_, i) => (i < 20 ? undefined : i)))
    await writer.invalidate()
    const primary = await processes.primary()
    expect(await serverClient(primary.port).keys('ck:orders:*')).toEqual([])

    let runs = 0
    const slow = async (id: string) => {
      runs++
      await sleep(200)
      return `total ${id}`
    }
    const options = { namespace: 'totals', lock: true, l1: false, logger: quiet } as const
    const a = cache(slow, { ...options, backend: sentinelBackend() })
    const b = cache(slow, { ...options, backend: sentinelBackend() })
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b)('may')))
    expect(results).toEqual(Array.from({ length: 10 }, () => 'total may'))
    expect(runs).toBe(1)
  })

  it("the invalidation bus: a write in one process reaches another process's L1", async () => {
    await expectCoherentL1('coherent-before')
  })

  it('health() names the primary reached', async () => {
    const backend = sentinelBackend()
    await backend.exists('health')
    const primary = await processes.primary()
    expect(await backend.health()).toMatchObject({
      status: 'healthy',
      connection: 'ready',
      primary: `127.0.0.1:${primary.port}`,
    })
  })

  it('a Sentinel-configured client passed in is used as it is and never closed', async () => {
    const given = new Redis({ sentinels: [...processes.sentinelAddresses], name: processes.name })
    given.on('error', () => {})
    cleanups.push(() => given.disconnect())
    const backend = new RedisBackend({ client: given })
    expect(backend.topology).toBe('sentinel')
    await backend.set('given', Buffer.from('yes'), 60)
    expect(String(await backend.get('given'))).toBe('yes')
    await backend.close()
    expect(await given.get('given')).toBe('yes')
  })
})

describe('failovers', () => {
  const reliability = { timeoutMs: 200, breaker: { recoveryMs: 1000 } }

  it('SENTINEL FAILOVER (the old primary stays up, as a replica): values stay right and writes reach the new primary', async () => {
    const backend = sentinelBackend()
    const before = await processes.primary()
    const sentinel = serverClient(processes.sentinels[0]?.port as number)
    const report = await loadThroughFailover({
      backend,
      namespace: 'handover',
      reliability,
      kill: async () => {
        await sentinel.call('SENTINEL', 'FAILOVER', processes.name)
      },
      // A smooth handover may cost no miss at all: the run then ends 8 s after it was asked for.
      noMissWaitMs: 8000,
      maxAfterKillMs: 15_000,
    })
    console.log(`sentinel handover (SENTINEL FAILOVER from :${before.port}): ${JSON.stringify(report)}`)
    expect(report.wrongValues).toBe(0)
    expect(report.missedL2BeforeKill).toBe(0)
    expect(report.slowestCallMs).toBeLessThan(2 * reliability.timeoutMs + 2 + 300)
    if (report.lastMissMs !== null) expect(report.lastMissMs).toBeLessThan(20_000)
    expect(report.hitsAfterResume).toBeGreaterThan(100)

    const after = await processes.settled({ replicas: 1 })
    expect(after.port).not.toBe(before.port)
    const writes = createCache({ namespace: 'after-handover', ttl: 60, backend, logger: quiet })
    const deadline = Date.now() + 10_000
    for (;;) {
      try {
        await writes.set('k', 'v')
        break
      } catch (err) {
        if (Date.now() > deadline) throw err
        await sleep(100)
      }
    }
    expect(await serverClient(after.port).exists('ck:after-handover:k')).toBe(1)
    expect(await backend.health()).toMatchObject({ status: 'healthy', primary: `127.0.0.1:${after.port}` })
  })

  it('the primary SIGKILLed: values stay right, no call is slower than two deadlines and the function, and L2 hits resume', async () => {
    const backend = sentinelBackend()
    // The replica (the primary before the handover) is in sync: the sentinels can promote it.
    const victim = await processes.settled({ replicas: 1 })
    const report = await loadThroughFailover({
      backend,
      namespace: 'failover',
      reliability,
      kill: () => victim.kill(),
      functionMs: 2,
    })
    console.log(`sentinel failover (primary :${victim.port} SIGKILLed): ${JSON.stringify(report)}`)
    expect(report.wrongValues).toBe(0)
    expect(report.missedL2BeforeKill).toBe(0)
    expect(report.missedL2AfterKill).toBeGreaterThan(0)
    expect(report.slowestCallMs).toBeLessThan(2 * reliability.timeoutMs + 2 + 300)
    expect(report.lastMissMs).not.toBeNull()
    expect(report.lastMissMs as number).toBeLessThan(20_000)
    expect(report.hitsAfterResume).toBeGreaterThan(100)

    const promoted = await processes.settled({ replicas: 0 })
    expect(promoted.port).not.toBe(victim.port)
    const health = await backend.health()
    expect(health).toMatchObject({ status: 'healthy', primary: `127.0.0.1:${promoted.port}` })
    // The cache works on the promoted replica: writes land there, a second process reads them.
    const writer = createCache({ namespace: 'after-kill', ttl: 60, backend, logger: quiet })
    await writer.setMany([
      ['a', 1],
      ['b', 2],
    ])
    const reader = createCache({
      namespace: 'after-kill',
      ttl: 60,
      backend: sentinelBackend(),
      logger: quiet,
    })
    expect(await reader.getMany(['a', 'b', 'c'])).toEqual([1, 2, undefined])
    expect(await serverClient(promoted.port).exists('ck:after-kill:a')).toBe(1)
    await expectCoherentL1('coherent-after')
  })
})
