// Wrapped-function hit paths side by side with the libraries users pick instead, one run, medians.
// L1: a 1 KiB object served from process memory. L2: a sequential Redis hit with L1 off.
// Usage: npm run build && node benchmark/cache-hits.mjs [--quick]
import { cpus } from 'node:os'
import { createCache as createDedupe } from 'async-cache-dedupe'
import { BentoCache, bentostore } from 'bentocache'
import { memoryDriver } from 'bentocache/drivers/memory'
import { redisDriver } from 'bentocache/drivers/redis'
import { Cacheable } from 'cacheable'
import Redis from 'ioredis'
import { measure } from 'mitata'
import { cache, RedisBackend } from '../dist/index.js'
import { userObject } from './data.mjs'
import { startRedis } from './redis-server.mjs'

const quick = process.argv.includes('--quick')
const opts = { min_cpu_time: quick ? 50e6 : 400e6 }

const user = userObject
const load = async (id) => user(id)
console.error(`value size: ${JSON.stringify(user(42)).length} bytes of JSON`)

async function median(fn) {
  return (await measure(async () => fn(), opts)).p50
}

const rows = []
async function row(section, name, semantics, fn) {
  await fn() // warm: the first call is the miss
  await fn()
  rows.push({ section, name, semantics, ns: await median(fn) })
  process.stderr.write('.')
}

// ---- L1 hits
const l1Copy = cache(load, { namespace: 'bench-l1-copy', ttl: 300, backend: null })
const l1Frozen = cache(load, {
  namespace: 'bench-l1-frozen',
  ttl: 300,
  backend: null,
  l1: { mode: 'frozen' },
})
const bento = new BentoCache({
  default: 'memory',
  stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: 10_000 })) },
})
const cacheable = new Cacheable()
const cacheableWrapped = cacheable.wrap(load, { ttl: '5m' })
const dedupe = createDedupe({ ttl: 300, storage: { type: 'memory' } }).define('user', load)
const memo = new Map()
const handMemo = async (id) => {
  const hit = memo.get(id)
  if (hit !== undefined) return hit
  const value = await load(id)
  memo.set(id, value)
  return value
}
await row(
  'L1 hit, wrapped function, 1 KiB object',
  'cachekit cache() (copy)',
  'copy: fresh decoded value per call',
  () => l1Copy(42),
)
await row(
  'L1 hit, wrapped function, 1 KiB object',
  'cachekit cache() (l1.mode frozen)',
  'immutable: one deep-frozen value',
  () => l1Frozen(42),
)
await row(
  'L1 hit, wrapped function, 1 KiB object',
  'bentocache getOrSet (memory, serialize)',
  'copy: JSON round trip',
  () => bento.getOrSet({ key: 'user:42', factory: () => load(42), ttl: '5m' }),
)
await row('L1 hit, wrapped function, 1 KiB object', 'cacheable.wrap', 'copy: structuredClone', () =>
  cacheableWrapped(42),
)
await row('L1 hit, wrapped function, 1 KiB object', 'async-cache-dedupe', 'shared mutable reference', () =>
  dedupe.user(42),
)
await row(
  'L1 hit, wrapped function, 1 KiB object',
  'hand-written async Map memo (floor)',
  'shared mutable reference',
  () => handMemo(42),
)

// ---- L2 hits (Redis, L1 off)
const redis = await startRedis()
try {
  const client = new Redis(redis.url)
  await client.set('raw:user:42', JSON.stringify(user(42)), 'EX', 300)
  const backend = new RedisBackend({ url: redis.url })
  const l2 = cache(load, { namespace: 'bench-l2', ttl: 300, backend, l1: false })
  const bentoL2 = new BentoCache({
    default: 'redis',
    stores: {
      redis: bentostore().useL2Layer(redisDriver({ connection: { host: '127.0.0.1', port: redis.port } })),
    },
  })
  await row(
    'L2 hit, sequential, Redis on loopback, L1 off',
    'raw ioredis get + JSON.parse (floor)',
    'copy',
    async () => JSON.parse(await client.get('raw:user:42')),
  )
  await row(
    'L2 hit, sequential, Redis on loopback, L1 off',
    'cachekit cache() (envelope + xxh3 checksum)',
    'copy',
    () => l2(42),
  )
  await row('L2 hit, sequential, Redis on loopback, L1 off', 'bentocache getOrSet (redis only)', 'copy', () =>
    bentoL2.getOrSet({ key: 'user:42', factory: () => load(42), ttl: '5m' }),
  )
  client.disconnect()
  await backend.close()
  await bentoL2.disconnectAll()
} finally {
  redis.stop()
}
await bento.disconnectAll()
process.stderr.write('\n')

const fmt = (ns) => (ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`)
console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
)
let section = ''
let base = 0
for (const r of rows) {
  if (r.section !== section) {
    section = r.section
    base = r.ns
    console.log(
      `\n### ${section}\n\n| library | semantics | median per hit | ops/s | throughput vs first row |\n|---|---|---|---|---|`,
    )
  }
  console.log(
    `| ${r.name} | ${r.semantics} | ${fmt(r.ns)} | ${Math.round(1e9 / r.ns).toLocaleString('en')} | ${(base / r.ns).toFixed(2)}× |`,
  )
}
process.exit(0)
