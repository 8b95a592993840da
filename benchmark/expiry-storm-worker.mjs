// One process of the expiry storm (benchmark/stampede.mjs): warms `keys` keys together, then reads
// random keys at a steady `ratePerSec` for `readMs` while they expire. The function records, in
// Redis, how many times it ran in each wall-clock second and its peak concurrency across processes.
// Usage: node expiry-storm-worker.mjs '<json config>'; prints one JSON line.
import { pathToFileURL } from 'node:url'
import { Redis } from 'ioredis'

const c = JSON.parse(process.argv[2])
const { cache, RedisBackend } = await import(pathToFileURL(c.entry).href)
const raw = new Redis(c.url)
const backend = new RedisBackend({ url: c.url })
const running = `${c.namespace}:stats:running`
// Peak concurrency is kept per phase: the warm-up computes every key at once by design.
let phase = 'warm'
const PEAK_SCRIPT =
  "local n = redis.call('INCR', KEYS[1]) if tonumber(redis.call('GET', KEYS[2]) or '0') < n then redis.call('SET', KEYS[2], n) end return n"

const load = async (id) => {
  await raw.eval(PEAK_SCRIPT, 2, running, `${c.namespace}:stats:peak:${phase}`)
  raw.incr(`${c.namespace}:stats:second:${Math.floor((Date.now() - c.t0) / 1000)}`)
  await new Promise((resolve) => setTimeout(resolve, c.functionMs))
  await raw.decr(running)
  return { id, at: Date.now() }
}

const get = cache(load, {
  namespace: c.namespace,
  backend,
  ttl: c.ttl,
  ttlJitter: c.jitter,
  refreshAhead: c.refreshAhead,
  logger: { warn() {}, debug() {} },
})
// Warm: this process writes its half of the keys, all within the same second or two.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, c.t0 - Date.now())))
for (let i = c.first; i < c.first + c.count; i += 200) {
  await Promise.all(Array.from({ length: Math.min(200, c.first + c.count - i) }, (_, j) => get(i + j)))
}
phase = 'storm'
// Steady load: a batch of random reads every 10 ms.
const perTick = Math.max(1, Math.round(c.ratePerSec / 100))
const until = Date.now() + c.readMs
let reads = 0
while (Date.now() < until) {
  const tick = Date.now()
  await Promise.all(Array.from({ length: perTick }, () => get(Math.floor(Math.random() * c.keys))))
  reads += perTick
  const rest = 10 - (Date.now() - tick)
  if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest))
}
console.log(
  JSON.stringify({
    pid: process.pid,
    reads,
    misses: get.info().misses,
    refreshes: get.info().stale.backgroundRefreshes,
  }),
)
await get.close()
raw.disconnect()
