/**
 * RedisBackend on a real Redis Cluster (three primaries with a replica each, on loopback): the
 * backend contract, a cache on it (hits, by-key getMany across many slots, invalidation and clear
 * reaching every primary, locks), then primaries killed: the calls during the failover (values,
 * latency, misses, breaker) and a setMany that finds a primary down.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { Cluster, Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Backend } from '../../src/backends/backend.js'
import { lockKeyOf } from '../../src/backends/lock-key.js'
import { clusterSubscriber } from '../../src/backends/redis-cluster-subscriber.js'
import { keySlot, slotGroups } from '../../src/backends/redis-slot.js'
import { BackendError, cache, createCache, RedisBackend } from '../../src/index.js'
import type { BackendUnderTest, ContractContext } from '../contract/backend-contract.js'
import { registerCapabilityContract } from '../contract/capability-contract.js'
import { registerLifecycleContract } from '../contract/lifecycle-contract.js'
import {
  type ClusterNodeInfo,
  type RedisClusterProcesses,
  startRedisCluster,
} from '../support/redis-cluster.js'
import { freePort } from '../support/redis-server.js'
import { loadThroughFailover } from './failover-load.js'

let processes: RedisClusterProcesses
const cleanups: Array<() => unknown> = []

beforeAll(async () => {
  processes = await startRedisCluster({ nodeTimeoutMs: 1000 })
})
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  await processes?.stop()
})

const quiet = { warn() {} }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Two nodes still running: what a deployment would list as the seeds (the client finds the others). */
const liveSeeds = () =>
  processes.nodes
    .filter((node) => node.alive)
    .slice(0, 2)
    .map((node) => node.url)

/** A backend on the cluster from two seed nodes (the client finds the other four). */
function clusterBackend(options: Partial<ConstructorParameters<typeof RedisBackend>[0]> = {}): RedisBackend {
  const backend = new RedisBackend({ cluster: { nodes: liveSeeds() }, ...options })
  cleanups.push(() => backend.close())
  return backend
}

/** A plain connection to one node, for looking at what it holds. */
function nodeClient(port: number): Redis {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  cleanups.push(() => client.disconnect())
  return client
}

/** Every key matching `pattern` on each current primary, by port. */
async function keysByPrimary(pattern: string): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>()
  for (const primary of await processes.primaries()) {
    const client = nodeClient(primary.port)
    const keys: string[] = []
    let cursor = '0'
    do {
      const [next, page] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      keys.push(...page)
    } while (cursor !== '0')
    found.set(primary.port, keys)
    client.disconnect()
  }
  return found
}

function primaryOfSlot(topology: readonly ClusterNodeInfo[], slot: number): number | undefined {
  return topology.find(
    (node) => node.role === 'master' && !node.failed && node.slots.some(([a, b]) => slot >= a && slot <= b),
  )?.port
}

const contractSubject: BackendUnderTest = {
  name: 'redis cluster',
  capabilities: { prefixDelete: true, remainingTtl: true, sync: false },
  create: () => new RedisBackend({ cluster: { nodes: processes.urls.slice(0, 2) } }),
  // Another process would have a cluster client of its own, from other seeds.
  peer: () => new RedisBackend({ cluster: { nodes: processes.urls.slice(3) } }),
  afterClose: 'rejects',
  unreachable: async () =>
    new RedisBackend({ cluster: { nodes: [`redis://127.0.0.1:${await freePort()}`] } }),
}

// The backend contract's lifecycle and capability parts, with its own per-test plumbing. Its data
// part also holds setMany to be seen whole by a reader, which no cluster client can give across
// slots (a transaction cannot span them): what holds instead is tested below, per slot.
describe('the redis cluster backend keeps the lifecycle and capability contracts', () => {
  let open: Backend[] = []
  let prefix = ''
  const track = (backend: Backend) => {
    open.push(backend)
    return backend
  }
  const context: ContractContext = {
    subject: contractSubject,
    backend: async () => track(await contractSubject.create()),
    peer: async (backend) => track(await contractSubject.peer(backend)),
    prefix: () => prefix,
    key: (name) => prefix + name,
  }
  beforeEach(() => {
    prefix = `contract:cluster:${randomUUID()}:`
  })
  afterEach(async () => {
    for (const backend of open.splice(0)) {
      await backend.deleteByPrefix(prefix).catch(() => 0)
      await backend.close()
    }
    open = []
  })
  registerLifecycleContract(context)
  registerCapabilityContract(context)
})

describe('reads and writes of one backend on a cluster', () => {
  it('round-trip any bytes through every read path, with TTLs', async () => {
    const backend = clusterBackend()
    const keys = Array.from({ length: 64 }, (_, i) => `bytes:${i}:é{${i % 7}}`)
    const values = keys.map((_, i) => randomBytes(i * 97))
    await backend.setMany(
      keys.map((k, i) => [k, values[i] as Buffer]),
      60,
    )
    await backend.set('bytes:big', randomBytes(1 << 20), 60)
    expect((await backend.getMany(keys)).map((v) => v?.toString('hex'))).toEqual(
      values.map((v) => v.toString('hex')),
    )
    const withTtl = await backend.getManyWithTtl(keys)
    expect(withTtl.map((e) => e?.value.toString('hex'))).toEqual(values.map((v) => v.toString('hex')))
    for (const entry of withTtl) expect(entry?.ttlMs).toBeGreaterThan(55_000)
    expect((await backend.getWithTtl('bytes:big'))?.value.length).toBe(1 << 20)
    expect(await backend.ttl('bytes:big')).toBeGreaterThan(55)
    expect(await backend.deleteByPrefix('bytes:')).toBe(65)
  })

  it('a reader sees each slot of a batch whole: none of its keys or all of them', async () => {
    const writer = clusterBackend()
    const reader = clusterBackend()
    const keys = Array.from({ length: 200 }, (_, i) => `visible:{${i % 40}}:${i}`)
    const slots = slotGroups(keys)
    expect(slots.length).toBe(40)
    const value = randomBytes(4096)
    let written = false
    const writing = writer.setMany(
      keys.map((k) => [k, value] as const),
      60,
    )
    writing.then(
      () => {
        written = true
      },
      () => {
        written = true
      },
    )
    const torn: number[] = []
    while (!written) {
      const snapshot = await reader.getMany(keys)
      for (const group of slots) {
        const present = group.filter((i) => snapshot[i] !== null).length
        if (present !== 0 && present !== group.length) torn.push(present)
      }
    }
    await writing
    expect(torn).toEqual([])
    expect((await reader.getMany(keys)).every((v) => v?.equals(value))).toBe(true)
  })
})

it("the backend's slots are the server's (CLUSTER KEYSLOT), on tricky and random keys", async () => {
  const tricky = ['', '{}', '{}}', 'a{}b}', '{{a}}', 'a{b', '}{a}', '{a}{b}', 'é{日}', 'ck:ns:{tag}:x', '😀']
  const random = fc.sample(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.array(fc.constantFrom('{', '}', 'x', 'é', ':'), { maxLength: 10 }).map((cs) => cs.join('')),
    ),
    300,
  )
  const node = nodeClient(processes.nodes[0]?.port as number)
  const all = [...tricky, ...random]
  const pipeline = node.pipeline()
  for (const key of all) pipeline.cluster('KEYSLOT', key)
  const replies = (await pipeline.exec()) ?? []
  expect(all.map(keySlot)).toEqual(replies.map(([, slot]) => slot))
})

describe('a cache on a Redis Cluster', () => {
  it('cached calls fill every primary, and a second process hits L2 for all of them', async () => {
    let runs = 0
    const compute = async (n: number) => {
      runs++
      return { n, square: n * n }
    }
    const first = cache(compute, {
      namespace: 'squares',
      backend: clusterBackend(),
      l1: false,
      logger: quiet,
    })
    const inputs = Array.from({ length: 90 }, (_, i) => i)
    expect(await Promise.all(inputs.map((n) => first(n)))).toEqual(inputs.map((n) => ({ n, square: n * n })))
    expect(runs).toBe(90)

    const stored = await keysByPrimary('ck:squares:*')
    expect(stored.size).toBe(3)
    for (const [port, keys] of stored) expect(keys.length, `primary ${port}`).toBeGreaterThan(10)

    const second = cache(compute, {
      namespace: 'squares',
      backend: clusterBackend(),
      l1: false,
      logger: quiet,
    })
    expect(await Promise.all(inputs.map((n) => second(n)))).toEqual(inputs.map((n) => ({ n, square: n * n })))
    expect(runs).toBe(90)
    expect(second.info()).toMatchObject({ l2Hits: 90, misses: 0, errors: 0 })
  })

  it('by-key getMany reads keys of many slots in one call, each value in its place', async () => {
    const writer = createCache({ namespace: 'slots', ttl: 60, backend: clusterBackend(), logger: quiet })
    const entries = Array.from({ length: 300 }, (_, i) => [`item:${i}`, { i, text: `item ${i}` }] as const)
    await writer.setMany(entries)
    const stored = [...(await keysByPrimary('ck:slots:*')).values()].flat()
    expect(stored.length).toBe(300)
    expect(new Set(stored.map(keySlot)).size).toBeGreaterThan(250)

    // Another process: nothing in its L1, so every value comes from the per-slot MGETs.
    const reader = createCache({ namespace: 'slots', ttl: 60, backend: clusterBackend(), logger: quiet })
    const asked: string[] = entries.map(([key]) => key).reverse()
    asked.splice(7, 0, 'item:missing-1')
    asked.splice(150, 0, 'item:missing-2')
    const expected = asked.map((key) => entries.find(([k]) => k === key)?.[1])
    expect(await reader.getMany(asked)).toEqual(expected)
    expect(reader.info().l2ReadErrors).toBe(0)

    // The GET+PTTL script that batched reads use: one script per slot, each value in its place.
    const backend = clusterBackend()
    const withTtl = await backend.getManyWithTtl(asked.map((key) => `ck:slots:${key}`))
    expect(withTtl.map((entry) => entry !== null)).toEqual(expected.map((v) => v !== undefined))
    for (const entry of withTtl) if (entry !== null) expect(entry.ttlMs).toBeGreaterThan(55_000)
  })

  it('invalidate(prefix) and invalidate() (clear) reach the keys on every primary', async () => {
    const users = createCache({ namespace: 'users', ttl: 60, backend: clusterBackend(), logger: quiet })
    await users.setMany(Array.from({ length: 120 }, (_, i) => [`a:${i}`, i] as const))
    await users.setMany(Array.from({ length: 120 }, (_, i) => [`b:${i}`, i] as const))
    const before = await keysByPrimary('ck:users:*')
    for (const keys of before.values()) {
      expect(keys.some((k) => k.startsWith('ck:users:a:'))).toBe(true)
      expect(keys.some((k) => k.startsWith('ck:users:b:'))).toBe(true)
    }

    await users.invalidate('a:')
    const afterPrefix = await keysByPrimary('ck:users:*')
    for (const [port, keys] of afterPrefix) {
      expect(
        keys.filter((k) => k.startsWith('ck:users:a:')),
        `primary ${port}`,
      ).toEqual([])
      expect(keys.filter((k) => k.startsWith('ck:users:b:')).length, `primary ${port}`).toBeGreaterThan(0)
    }
    expect([...afterPrefix.values()].flat().length).toBe(120)

    await users.invalidate()
    const other = createCache({ namespace: 'users', ttl: 60, backend: clusterBackend(), logger: quiet })
    const all = Array.from({ length: 120 }, (_, i) => [`a:${i}`, `b:${i}`]).flat()
    expect((await other.getMany(all)).every((v) => v === undefined)).toBe(true)
    for (const [port, keys] of await keysByPrimary('ck:users:*')) expect(keys, `primary ${port}`).toEqual([])
  })

  it("locks: callers in two processes on a cold key run the function once; the lock is in its entry's slot", async () => {
    let runs = 0
    const slow = async (id: string) => {
      runs++
      await sleep(300)
      return `report ${id}`
    }
    const options = { namespace: 'reports', lock: true, l1: false, logger: quiet } as const
    const a = cache(slow, { ...options, backend: clusterBackend() })
    const b = cache(slow, { ...options, backend: clusterBackend() })
    const calls = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b)('q3'))
    // While the holder computes, its lease is in the entry's slot.
    await sleep(100)
    const leases = [...(await keysByPrimary('*:lock')).values()].flat()
    expect(leases).toHaveLength(1)
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 10 }, () => 'report q3'))
    expect(runs).toBe(1)
    const lease = leases[0] as string
    const stored = [...(await keysByPrimary('ck:reports:*')).values()].flat()
    expect(stored).toHaveLength(1)
    const key = stored[0] as string
    expect(lease).toBe(lockKeyOf(key))
    const node = nodeClient((await processes.primaries())[0]?.port as number)
    expect(await node.cluster('KEYSLOT', lease)).toBe(await node.cluster('KEYSLOT', key))
    expect(keySlot(lease)).toBe(await node.cluster('KEYSLOT', key))
  })

  it("the invalidation bus keeps another process's L1 coherent on the cluster", async () => {
    const namespace = `coherent-${randomUUID()}`
    const one = createCache({ namespace, ttl: 60, backend: clusterBackend(), logger: quiet })
    const two = createCache({ namespace, ttl: 60, backend: clusterBackend(), logger: quiet })
    await one.set('price', 100)
    expect(await two.get('price')).toBe(100)
    expect(await two.get('price')).toBe(100)
    expect(two.info().l1Hits).toBeGreaterThan(0)
    await one.set('price', 120)
    const deadline = Date.now() + 2000
    let seen = await two.get('price')
    while (seen !== 120 && Date.now() < deadline) {
      await sleep(20)
      seen = await two.get('price')
    }
    expect(seen).toBe(120)
  })

  it('health() reports the cluster state and every primary', async () => {
    const backend = clusterBackend()
    await backend.exists('health')
    const health = await backend.health()
    expect(health).toMatchObject({
      status: 'healthy',
      connection: 'ready',
      cluster: { state: 'ok', primaries: 3, reachable: 3 },
    })
  })

  it('a Cluster passed in is used as it is and never closed', async () => {
    const given = new Cluster(processes.urls.slice(0, 1))
    cleanups.push(() => given.disconnect())
    const backend = new RedisBackend({ client: given })
    expect(backend.topology).toBe('cluster')
    const keys = Array.from({ length: 40 }, (_, i) => `given:${i}`)
    await backend.setMany(
      keys.map((k) => [k, Buffer.from(k)]),
      60,
    )
    expect((await backend.getMany(keys)).map(String)).toEqual(keys)
    expect(await backend.deleteByPrefix('given:')).toBe(40)
    await backend.close()
    expect(given.status).toBe('ready')
    expect(await given.set('still', 'open')).toBe('OK')
  })
})

describe('nodes killed', () => {
  it('a bus subscriber on the cluster tells when its node went, moves to another node and receives again', async () => {
    const publisher = clusterBackend()
    const backend = clusterBackend()
    await Promise.all([publisher.exists('x'), backend.exists('x')])
    const subscriber = clusterSubscriber(backend.client as Cluster, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      retryStrategy: () => 50,
    })
    cleanups.push(() => subscriber.disconnect())
    const received: string[] = []
    const events: string[] = []
    subscriber.on('error', () => {})
    subscriber.on('message', (_channel: string, text: string) => received.push(text))
    subscriber.on('close', () => events.push('close'))
    subscriber.on('ready', () => {
      events.push('ready')
      subscriber.subscribe('topology:bus').then(
        () => events.push('subscribed'),
        () => events.push('subscribe failed'),
      )
    })
    const until = async (what: () => boolean, ms = 5000) => {
      const deadline = Date.now() + ms
      while (!what()) {
        if (Date.now() > deadline) throw new Error(`timed out; events: ${events.join(', ')}`)
        await sleep(20)
      }
    }
    const publish = async (text: string) => {
      // Published through the cluster client, on whichever node it picks: every node passes it on.
      await (publisher.client as Cluster).publish('topology:bus', text)
    }
    await until(() => events.includes('subscribed'))
    await publish('one')
    await until(() => received.includes('one'))

    const port = subscriber.stream?.remotePort
    const victim = processes.nodes.find((node) => node.port === port)
    expect(victim).toBeDefined()
    await victim?.kill()
    await until(() => events.filter((e) => e === 'subscribed').length === 2)
    expect(events.slice(0, 5)).toEqual(['ready', 'subscribed', 'close', 'ready', 'subscribed'])
    expect(subscriber.stream?.remotePort).not.toBe(port)
    // A primary's failover can take a moment: publish until it is delivered.
    await until(() => {
      publish('two').catch(() => {})
      return received.includes('two')
    }, 15_000)
    expect(received.slice(0, 2)).toEqual(['one', 'two'])
    await processes.settled()
  })

  it('during the failover every value is right, no call is slower than two deadlines and the function, and L2 hits resume', async () => {
    const backend = clusterBackend()
    const reliability = { timeoutMs: 200, breaker: { recoveryMs: 1000 } }
    const [victim] = await processes.replicatedPrimaries()
    const report = await loadThroughFailover({
      backend,
      namespace: 'failover',
      reliability,
      kill: async () => victim?.kill(),
      functionMs: 2,
    })
    console.log(`cluster failover (primary :${victim?.port} SIGKILLed): ${JSON.stringify(report)}`)
    expect(report.wrongValues).toBe(0)
    expect(report.missedL2BeforeKill).toBe(0)
    expect(report.missedL2AfterKill).toBeGreaterThan(0)
    expect(report.slowestCallMs).toBeLessThan(2 * reliability.timeoutMs + 2 + 300)
    expect(report.lastMissMs).not.toBeNull()
    expect(report.lastMissMs as number).toBeLessThan(20_000)
    expect(report.hitsAfterResume).toBeGreaterThan(100)

    await processes.settled()
    // The promoted replica serves its slots: getMany across every slot, invalidation on every primary.
    const after = createCache({ namespace: 'after', ttl: 60, backend, logger: quiet })
    const entries = Array.from({ length: 150 }, (_, i) => [`k${i}`, i] as const)
    await after.setMany(entries)
    const reader = createCache({ namespace: 'after', ttl: 60, backend: clusterBackend(), logger: quiet })
    expect(await reader.getMany(entries.map(([k]) => k))).toEqual(entries.map(([, v]) => v))
    const stored = await keysByPrimary('ck:after:*')
    expect(stored.has(victim?.port as number)).toBe(false)
    for (const keys of stored.values()) expect(keys.length).toBeGreaterThan(0)
    await after.invalidate()
    for (const keys of (await keysByPrimary('ck:after:*')).values()) expect(keys).toEqual([])
    expect(await backend.health()).toMatchObject({
      status: 'healthy',
      cluster: { state: 'ok', primaries: 3 },
    })
  })

  it('a setMany across slots while a primary is down rejects, and no key of a live primary keeps its new value', async () => {
    const backend = clusterBackend()
    const topology = await processes.topology()
    const keys = Array.from({ length: 60 }, (_, i) => `batch:${i}`)
    await backend.setMany(
      keys.map((k) => [k, Buffer.from('old')]),
      60,
    )
    const [victim] = await processes.replicatedPrimaries()
    await victim?.kill()

    const err = await backend
      .setMany(
        keys.map((k) => [k, Buffer.from('new')]),
        60,
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(err).toBeInstanceOf(BackendError)
    // An outage (counted by the breaker), not a refusal: the slot's primary is unreachable.
    expect(['connection', 'transient', 'timeout']).toContain((err as BackendError).kind)
    expect((err as BackendError).message).toMatch(/slots failed .*were deleted again/)

    let onLive = 0
    for (const key of keys) {
      const port = primaryOfSlot(topology, keySlot(key))
      if (port === victim?.port || port === undefined) continue
      onLive++
      // Rolled back: deleted, neither the new value nor (since the batch did not happen) the old one.
      expect(await nodeClient(port).get(key), key).toBeNull()
    }
    expect(onLive).toBeGreaterThan(20)

    // Once the replica has taken over, the same batch lands whole.
    await processes.settled()
    const deadline = Date.now() + 10_000
    for (;;) {
      try {
        await backend.setMany(
          keys.map((k) => [k, Buffer.from('new')]),
          60,
        )
        break
      } catch (e) {
        if (Date.now() > deadline) throw e
        await sleep(200)
      }
    }
    expect((await backend.getMany(keys)).map(String)).toEqual(keys.map(() => 'new'))
  })
})
