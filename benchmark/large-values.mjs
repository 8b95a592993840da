// Event-loop delay while 1 MiB values are read from Redis, 32 in flight, L1 off: with the envelope
// work (LZ4, checksum) on the event loop versus on the libuv pool (values >= asyncEnvelopeBytes).
// Two builds side by side in one process, interleaved windows.
// Usage: npm run build && node benchmark/large-values.mjs <dir of the other build> [--windows N]
import { cpus } from 'node:os'
import { resolve } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { startRedis } from './redis-server.mjs'

const baseDir = process.argv[2]
if (baseDir === undefined) throw new Error('usage: node benchmark/large-values.mjs <dir of the other build>')
const windowsAt = process.argv.indexOf('--windows')
const WINDOWS = windowsAt > 0 ? Number(process.argv[windowsAt + 1]) : 4
const WINDOW_MS = 1500
const IN_FLIGHT = 32
const KEYS = 32

const builds = {
  before: await import(pathToFileURL(resolve(baseDir, 'dist/index.js')).href),
  after: await import(new URL('../dist/index.js', import.meta.url).href),
}
const redis = await startRedis()
// 1 MiB that compresses about 2:1, like real JSON-ish data with some entropy.
const value = (id) => {
  const b = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE(((i >> 3) * 2654435761 + id) >>> 0, i)
  return b
}

const cases = {}
for (const [label, lib] of Object.entries(builds)) {
  const backend = new lib.RedisBackend({ url: redis.url })
  const get = lib.cache(async (id) => value(id), {
    namespace: `large-${label}`,
    ttl: 600,
    backend,
    l1: false,
    serializer: 'raw',
  })
  for (let id = 0; id < KEYS; id++) await get(id)
  cases[label] = get
}

async function window(get) {
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const until = performance.now() + WINDOW_MS
  let ops = 0
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, id) => {
      while (performance.now() < until) {
        const v = await get(id % KEYS)
        if (v.length !== 1024 * 1024) throw new Error('wrong value')
        ops++
      }
    }),
  )
  delay.disable()
  return { ops, p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 }
}

const totals = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (const get of Object.values(cases)) await window(get)
for (let w = 0; w < WINDOWS; w++)
  for (const [label, get] of Object.entries(cases)) totals[label].push(await window(get))
console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; 1 MiB values, ${IN_FLIGHT} in flight, L1 off, ${WINDOWS} × ${WINDOW_MS} ms`,
)
console.log('\n| build | reads/s | event-loop delay p50 | p99 | max |\n|---|---|---|---|---|')
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1]
for (const [label, rows] of Object.entries(totals)) {
  const rate = rows.reduce((s, r) => s + r.ops, 0) / ((rows.length * WINDOW_MS) / 1000)
  console.log(
    `| ${label} | ${rate.toFixed(0)} | ${med(rows.map((r) => r.p50)).toFixed(1)} ms | ${med(rows.map((r) => r.p99)).toFixed(1)} ms | ${med(rows.map((r) => r.max)).toFixed(1)} ms |`,
  )
}
redis.stop()
process.exit(0)
