import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { cache, RedisBackend } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

// Freshness features on a real redis-server: TTLs as Redis keeps them, and stale-while-revalidate
// across OS processes (the workers import the BUILT package: `npm run build:ts` first; CI does).
const worker = fileURLToPath(new URL('./fixtures/freshness-worker.mjs', import.meta.url))
const entry = process.env.CACHEKIT_ENTRY ?? fileURLToPath(new URL('../../dist/index.js', import.meta.url))
const url = inject('redisUrl')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let raw: Redis
let backend: RedisBackend

beforeAll(() => {
  if (!existsSync(entry))
    throw new Error(`${entry} is missing: run \`npm run build:ts\` before the integration tests`)
  raw = new Redis(url)
  backend = new RedisBackend({ url })
})

afterAll(async () => {
  await backend.close()
  raw.disconnect()
})

function runWorker(config: Record<string, unknown>): Promise<{
  versions: string[]
  ms: number
  after: string
  info: { served: { swr: number }; backgroundRefreshes: number }
  lock: Record<string, number>
}> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--unhandled-rejections=strict', worker, JSON.stringify({ entry, url, ...config })],
      { timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`worker failed: ${error.message}\n${stderr}`))
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string))
      },
    )
  })
}

describe('freshness on redis-server', () => {
  it('TTL jitter spreads the Redis TTLs of keys written together; the stale window is added to them', async () => {
    const namespace = `fresh.jitter.${process.pid}`
    const get = cache(async (id: number) => id, { namespace, backend, ttl: 100, staleWhileRevalidate: 50 })
    const ttls = new Set<number>()
    for (let id = 0; id < 100; id++) {
      await get(id)
      const ttl = await raw.ttl(get.key(id))
      expect(ttl).toBeGreaterThanOrEqual(140)
      expect(ttl).toBeLessThanOrEqual(160)
      ttls.add(ttl)
    }
    expect(ttls.size).toBeGreaterThan(5)
    await get.clear()
  })

  it('stale-while-revalidate across 2 OS processes with the lock: both serve the stale value, one refresh in all', async () => {
    const namespace = `fresh.swr.${process.pid}`
    const writer = cache(async (id: number) => ({ id, version: 'old' }), {
      namespace,
      backend,
      ttl: 1,
      staleWhileRevalidate: 60,
      ttlJitter: false,
    })
    await writer(1)
    await sleep(1200)
    const startAt = Date.now() + 1200
    const [a, b] = await Promise.all([runWorker({ namespace, startAt }), runWorker({ namespace, startAt })])
    for (const r of [a, b]) {
      expect(r.versions).toEqual(Array(20).fill('old'))
      expect(r.ms).toBeLessThan(150)
      expect(r.after).toBe('new')
    }
    expect(Number(await raw.get(`${namespace}:runs`))).toBe(1)
    expect(a.info.served.swr + b.info.served.swr).toBe(2)
  }, 30_000)

  it('grace: while the store fails, the L1 value is served and the function runs once in the background', async () => {
    const namespace = `fresh.grace.${process.pid}`
    const faulty = new FaultyBackend(backend)
    let runs = 0
    let version = 'old'
    const get = cache(
      async (id: number) => {
        runs++
        return { id, version }
      },
      { namespace, backend: faulty, ttl: 1, grace: 60, ttlJitter: false, logger: { warn() {}, debug() {} } },
    )
    await get(1)
    await sleep(1100)
    faulty.failWith('connection')
    version = 'new'
    expect((await get(1)).version).toBe('old')
    await sleep(50)
    expect(runs).toBe(2)
    expect((await get(1)).version).toBe('new')
    faulty.heal()
    await get.clear()
  })
})
