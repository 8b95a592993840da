import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface, type Interface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { cache, createCache, RedisBackend } from '../../src/index.js'
import { FaultProxy } from '../support/fault-proxy.js'

// L1 coherence across processes through the Redis pub/sub bus. In one process, two RedisBackends
// stand for two processes (each has a bus of its own and ignores only its own messages); the
// disconnect test runs a real second process whose connections go through a TCP fault proxy.
const url = inject('redisUrl')
const entry = process.env.CACHEKIT_ENTRY ?? fileURLToPath(new URL('../../dist/index.js', import.meta.url))
const worker = fileURLToPath(new URL('./fixtures/bus-worker.mjs', import.meta.url))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let raw: Redis
beforeAll(() => {
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: run \`npm run build:ts\` before the integration tests`)
  raw = new Redis(url)
})
afterAll(() => raw.disconnect())

/** Two "processes" with one function each over the same Redis, the function reading `truth`. */
function twoProcesses(namespace: string, options: Record<string, unknown> = {}) {
  const truth = { version: 'v1' }
  const load = async (id: number) => ({ id, version: truth.version })
  const a = cache(load, { namespace, backend: new RedisBackend({ url }), ttl: 300, ...options })
  const b = cache(load, { namespace, backend: new RedisBackend({ url }), ttl: 300, ...options })
  return { truth, a, b, close: () => Promise.all([a.close(), b.close()]) }
}

/** Polls until `check` holds (messages arrive asynchronously), or fails after 2 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 2000
  while (!(await check())) {
    if (Date.now() > until) throw new Error('not within 2 s')
    await sleep(10)
  }
}

describe('the invalidation bus (two processes, one Redis)', () => {
  it("invalidate() in one process drops the other's L1 copy", async () => {
    const p = twoProcesses(`bus.inv.${process.pid}`)
    expect((await p.a(1)).version).toBe('v1')
    expect((await p.b(1)).version).toBe('v1')
    expect(p.b.info().l1?.entries).toBe(1)
    p.truth.version = 'v2'
    await p.a.invalidate(1)
    await eventually(async () => (await p.b(1)).version === 'v2')
    await p.close()
  })

  it("refresh() in one process replaces the other's L1 copy; clear() empties its L1", async () => {
    const p = twoProcesses(`bus.refresh.${process.pid}`)
    await p.a(1)
    await p.b(1)
    p.truth.version = 'v2'
    await p.a.refresh(1)
    await eventually(async () => (await p.b(1)).version === 'v2')
    await p.b(2)
    expect(p.b.info().l1?.entries).toBeGreaterThanOrEqual(1)
    await p.a.clear()
    await eventually(async () => p.b.info().l1?.entries === 0)
    await p.close()
  })

  it("a by-key set in one process reaches the other's get", async () => {
    const namespace = `bus.bykey.${process.pid}`
    const a = createCache({ namespace, backend: new RedisBackend({ url }) })
    const b = createCache({ namespace, backend: new RedisBackend({ url }) })
    await a.set('user:1', { name: 'Ada' })
    expect(await b.get('user:1')).toEqual({ name: 'Ada' })
    await a.set('user:1', { name: 'Grace' })
    await eventually(async () => ((await b.get<{ name: string }>('user:1'))?.name ?? '') === 'Grace')
    await a.delete('user:1')
    await eventually(async () => (await b.get('user:1')) === undefined)
    await Promise.all([a.close(), b.close()])
  })

  it('without the bus (invalidationBus: false), the other L1 copy lives until its TTL', async () => {
    const p = twoProcesses(`bus.off.${process.pid}`, { invalidationBus: false })
    await p.a(1)
    await p.b(1)
    p.truth.version = 'v2'
    await p.a.invalidate(1)
    await sleep(100)
    expect((await p.b(1)).version).toBe('v1')
    await p.close()
  })

  it('publishes only after the change succeeded, with the namespace and keys only', async () => {
    const namespace = `bus.msg.${process.pid}`
    const listener = raw.duplicate()
    const messages: string[] = []
    await listener.subscribe('ck:bus')
    listener.on('message', (_channel: string, text: string) => messages.push(text))
    const p = twoProcesses(namespace)
    await p.a(1)
    await p.a.invalidate(1)
    await eventually(async () => messages.some((m) => m.includes('"k"') && m.includes(namespace)))
    const parsed = messages.map((m) => JSON.parse(m)).filter((m) => m.n === namespace)
    expect(parsed.every((m) => Object.keys(m).every((k) => ['o', 'n', 'k', 'p'].includes(k)))).toBe(true)
    expect(parsed.flatMap((m) => m.k ?? [])).toEqual([p.a.key(1), p.a.key(1)])
    expect(JSON.stringify(parsed)).not.toContain('v1')
    await p.close()
    listener.disconnect()
  })
})

describe('a subscriber that loses its connection (a real second process behind a TCP fault proxy)', () => {
  let proxy: FaultProxy
  let child: ChildProcessWithoutNullStreams
  let replies: Interface
  const pending: Array<(line: string) => void> = []

  const ask = (op: string): Promise<{ version: string; runs: number; l1Hits: number }> =>
    new Promise((resolve) => {
      pending.push((line) => resolve(JSON.parse(line)))
      child.stdin.write(`${JSON.stringify({ op })}\n`)
    })

  beforeAll(async () => {
    proxy = await FaultProxy.start(Number(new URL(url).port))
  })
  afterAll(async () => {
    child?.kill()
    await proxy.close()
  })

  it('never serves a value invalidated while it was away, and drops its L1 when it is back', async () => {
    const namespace = `bus.away.${process.pid}`
    await raw.set(`${namespace}:truth`, 'v1')
    child = spawn(process.execPath, [
      worker,
      JSON.stringify({ entry, namespace, cacheUrl: proxy.url, dbUrl: url }),
    ])
    replies = createInterface({ input: child.stdout })
    replies.on('line', (line) => pending.shift()?.(line))
    const here = cache(async (id: number) => ({ id, version: await raw.get(`${namespace}:truth`) }), {
      namespace,
      backend: new RedisBackend({ url }),
      ttl: 300,
    })
    expect((await ask('get')).version).toBe('v1')
    expect(await ask('get')).toMatchObject({ version: 'v1', l1Hits: 1 })
    // Cut the second process off (its cache connection and its subscriber), then change the value.
    proxy.reset()
    await sleep(100)
    await raw.set(`${namespace}:truth`, 'v2')
    await here.invalidate(1)
    // Its L1 is not trusted while the subscriber is away: the call goes past it (to the function).
    const during = await ask('get')
    expect(during.version).toBe('v2')
    proxy.pass()
    // Back: it subscribes again and drops what it held; new invalidations reach it.
    await eventually(async () => (await ask('get')).l1Hits > 1)
    await raw.set(`${namespace}:truth`, 'v3')
    await here.invalidate(1)
    await eventually(async () => (await ask('get')).version === 'v3')
    child.stdin.write(`${JSON.stringify({ op: 'exit' })}\n`)
    await here.close()
  }, 30_000)
})

describe("clear() by namespace version (clearBy: 'version')", () => {
  it('is one write whatever the number of keys, and reaches the other process at once through the bus', async () => {
    const namespace = `bus.version.${process.pid}`
    const truth = { version: 'v1' }
    const load = async (id: number) => ({ id, version: truth.version })
    const options = { namespace, ttl: 300, clearBy: 'version' as const }
    const a = cache(load, { ...options, backend: new RedisBackend({ url }) })
    const b = cache(load, { ...options, backend: new RedisBackend({ url }) })
    for (let id = 0; id < 50; id++) await a(id)
    expect((await b(7)).version).toBe('v1')
    const before = (await raw.keys(`ck:${namespace}:*`)).length
    expect(before).toBe(50)
    truth.version = 'v2'
    const commands: string[] = []
    const monitor = await raw.monitor()
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args[0]?.toLowerCase() ?? ''))
    await a.clear()
    await sleep(50)
    monitor.disconnect()
    expect(commands.filter((c) => c === 'scan' || c === 'unlink')).toEqual([])
    // The old entries stay until their TTL, unreachable; both processes compute the new value.
    expect((await raw.keys(`ck:${namespace}:*`)).length).toBe(50)
    expect((await a(7)).version).toBe('v2')
    await eventually(async () => (await b(7)).version === 'v2')
    await Promise.all([a.close(), b.close()])
  })

  it('is refused in interop mode, whose keys must be exactly what other SDKs compute', async () => {
    const backend = new RedisBackend({ url })
    expect(() =>
      cache(async (id: number) => id, {
        namespace: 'users',
        interop: 'get_user',
        backend,
        clearBy: 'version',
      }),
    ).toThrow(expect.objectContaining({ code: 'INTEROP_CONFLICT' }))
    await backend.close()
  })
})
