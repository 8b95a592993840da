// Sequential L2 (Redis) hits with L1 off, measured interleaved: each round runs every case once,
// so drift in the machine's load hits all of them alike (loopback latency on this VM wanders by
// 2x between runs). Medians of 4000 rounds; ratios against raw ioredis get + JSON.parse.
// Usage: npm run build && node benchmark/l2-interleaved.mjs
import { cpus } from 'node:os'
import Redis from 'ioredis'
import { Packr } from 'msgpackr'
import { ByteStorage, cache, RedisBackend } from '../dist/index.js'
import { userObject } from './data.mjs'
import { startRedis } from './redis-server.mjs'

const ROUNDS = 4000
const user = userObject

const redis = await startRedis()
const raw = new Redis(redis.url)
const packr = new Packr({ useRecords: false })
const storage = new ByteStorage()
await raw.set('raw:json', JSON.stringify(user(42)))
await raw.set('raw:envelope', storage.store(packr.pack(user(42))))
const backend = new RedisBackend({ url: redis.url })
const cached = cache(async (id) => user(id), { namespace: 'l2-interleaved', ttl: 300, backend, l1: false })
await cached(42)

const cases = {
  'raw ioredis get + JSON.parse (floor)': async () => JSON.parse(await raw.get('raw:json')),
  'ioredis getBuffer + ByteStorage.retrieve + msgpackr (the same work by hand)': async () =>
    packr.unpack(storage.retrieve(await raw.getBuffer('raw:envelope'), { validateMsgpack: true }).data),
  'cachekit cache() L2 hit (L1 off)': async () => cached(42),
}
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let i = 0; i < 200; i++) for (const run of Object.values(cases)) await run()
for (let i = 0; i < ROUNDS; i++) {
  for (const [name, run] of Object.entries(cases)) {
    const t = process.hrtime.bigint()
    await run()
    times[name].push(Number(process.hrtime.bigint() - t))
  }
}
const median = (a) => a.sort((x, y) => x - y)[a.length >> 1]
const floor = median(times['raw ioredis get + JSON.parse (floor)'])
console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
)
console.log('\n| case | median | throughput vs floor |\n|---|---|---|')
for (const [name, samples] of Object.entries(times)) {
  const m = median(samples)
  console.log(`| ${name} | ${(m / 1000).toFixed(1)} µs | ${(floor / m).toFixed(2)}× |`)
}
raw.disconnect()
await backend.close()
redis.stop()
process.exit(0)
