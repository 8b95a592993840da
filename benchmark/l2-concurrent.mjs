// L2 (Redis) hits with L1 off, side by side with the peers, sequential and with many requests in
// flight. With 64 in flight the client's CPU is the limit, so this measures work per hit. Each case
// runs in several short windows, interleaved with the others, so the machine's drift hits all alike.
// Usage: npm run build && node benchmark/l2-concurrent.mjs [--windows N] [--ms N] [--inflight N]
import { cpus } from 'node:os'
import KeyvRedis from '@keyv/redis'
import { createCache as createDedupe } from 'async-cache-dedupe'
import { BentoCache, bentostore } from 'bentocache'
import { redisDriver } from 'bentocache/drivers/redis'
import { createCache as createCacheManager } from 'cache-manager'
import Redis from 'ioredis'
import { Keyv } from 'keyv'
import { cache, createCache, RedisBackend } from '../dist/index.js'
import { userObject } from './data.mjs'
import { startRedis } from './redis-server.mjs'

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? Number(process.argv[at + 1]) : fallback
}
const WINDOWS = arg('windows', 5)
const WINDOW_MS = arg('ms', 1000)
const IN_FLIGHT = arg('inflight', 64)
const KEYS = 64 // distinct keys, one per concurrent caller: nothing is coalesced by identical keys

const redis = await startRedis()
const load = async (id) => userObject(id)
const raw = new Redis(redis.url)
const rawAuto = new Redis(redis.url, { enableAutoPipelining: true })
for (let id = 0; id < KEYS; id++) await raw.set(`raw:${id}`, JSON.stringify(userObject(id)), 'EX', 600)

const backend = new RedisBackend({ url: redis.url })
const masterKey = 'ab'.repeat(32)
const cached = cache(load, { namespace: 'bench-l2c', ttl: 600, backend, l1: false })
const secure = cache.secure(load, { namespace: 'bench-l2c-secure', ttl: 600, backend, l1: false, masterKey })
const byKey = createCache({ namespace: 'bench-l2c-bykey', ttl: 600, backend, l1: false })
const dedupe = createDedupe({
  ttl: 600,
  storage: { type: 'redis', options: { client: new Redis(redis.url) } },
}).define('user', load)
const bento = new BentoCache({
  default: 'redis',
  stores: {
    redis: bentostore().useL2Layer(redisDriver({ connection: { host: '127.0.0.1', port: redis.port } })),
  },
})
const manager = createCacheManager({ stores: [new Keyv({ store: new KeyvRedis(redis.url) })] })
for (let id = 0; id < KEYS; id++) {
  await cached(id)
  await secure(id)
  await byKey.set(`user:${id}`, userObject(id))
  await dedupe.user(id)
  await bento.getOrSet({ key: `user:${id}`, factory: () => load(id), ttl: '10m' })
  await manager.wrap(`user:${id}`, () => load(id), 600_000)
}

const cases = {
  'raw ioredis GET + JSON.parse (floor)': async (id) => JSON.parse(await raw.get(`raw:${id}`)),
  'raw ioredis, auto-pipelining, GET + JSON.parse': async (id) => JSON.parse(await rawAuto.get(`raw:${id}`)),
  'async-cache-dedupe (redis)': (id) => dedupe.user(id),
  'bentocache getOrSet (redis only)': (id) =>
    bento.getOrSet({ key: `user:${id}`, factory: () => load(id), ttl: '10m' }),
  'cache-manager wrap + @keyv/redis': (id) => manager.wrap(`user:${id}`, () => load(id), 600_000),
  'cachekit cache() (L1 off)': (id) => cached(id),
  'cachekit createCache().get (L1 off)': (id) => byKey.get(`user:${id}`),
  'cachekit cache.secure() (L1 off, AES-GCM)': (id) => secure(id),
}

/** Runs `inFlight` callers for `ms`; each caller has its own key. Returns ops and latencies (ns). */
async function window(run, inFlight, ms) {
  const latencies = []
  const until = performance.now() + ms
  let ops = 0
  const worker = async (id) => {
    while (performance.now() < until) {
      const t = process.hrtime.bigint()
      await run(id % KEYS)
      latencies.push(Number(process.hrtime.bigint() - t))
      ops++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: inFlight }, (_, i) => worker(i)))
  return { ops, seconds: (performance.now() - started) / 1000, latencies }
}

const median = (a) => a[a.length >> 1]
const results = {}
for (const inFlight of [1, IN_FLIGHT]) {
  const totals = Object.fromEntries(Object.keys(cases).map((k) => [k, { ops: 0, seconds: 0, latencies: [] }]))
  for (const run of Object.values(cases)) await window(run, inFlight, 200) // warm
  for (let w = 0; w < WINDOWS; w++) {
    for (const [name, run] of Object.entries(cases)) {
      const r = await window(run, inFlight, WINDOW_MS)
      const t = totals[name]
      t.ops += r.ops
      t.seconds += r.seconds
      for (const l of r.latencies) t.latencies.push(l)
      process.stderr.write('.')
    }
  }
  results[inFlight] = totals
}
process.stderr.write('\n')
console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; 1 KiB object, ${KEYS} keys, ${WINDOWS} × ${WINDOW_MS} ms windows per case, interleaved`,
)
for (const [inFlight, totals] of Object.entries(results)) {
  const floor = totals['raw ioredis GET + JSON.parse (floor)']
  const floorRate = floor.ops / floor.seconds
  console.log(
    `\n### ${inFlight === '1' ? 'sequential' : `${inFlight} in flight`}\n\n| case | hits/s | vs floor | p50 | p99 |\n|---|---|---|---|---|`,
  )
  for (const [name, t] of Object.entries(totals)) {
    t.latencies.sort((a, b) => a - b)
    const rate = t.ops / t.seconds
    const p = (q) => `${(t.latencies[Math.floor(t.latencies.length * q)] / 1e6).toFixed(2)} ms`
    console.log(
      `| ${name} | ${Math.round(rate).toLocaleString('en')} | ${(rate / floorRate).toFixed(2)}× | ${p(0.5)} | ${p(0.99)} |`,
    )
    void median
  }
}
raw.disconnect()
rawAuto.disconnect()
await backend.close()
await bento.disconnectAll()
await manager.disconnect()
redis.stop()
process.exit(0)
