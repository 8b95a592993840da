// Stampedes and expiry storms against a real redis-server, in OS processes of the BUILT package.
// 1. Stampede: 4 processes x 250 concurrent callers of one cold key (a 100 ms function), lock on
//    and off: function runs and the callers' p99.
// 2. Expiry storm: 10,000 keys written together (TTL 20 s), then read at a steady rate by 2
//    processes for 30 s as they expire: the peak number of function runs in one second and the peak
//    function concurrency, with TTL jitter off, on (±10 %), and on with refresh-ahead (0.5).
// Usage: npm run build:ts && node benchmark/stampede.mjs
import { execFile } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import Redis from 'ioredis'
import { startRedis } from './redis-server.mjs'

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url))
const stampedeWorker = fileURLToPath(
  new URL('../__test__/integration/fixtures/stampede-worker.mjs', import.meta.url),
)
const stormWorker = fileURLToPath(new URL('./expiry-storm-worker.mjs', import.meta.url))

function run(script, config) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, JSON.stringify(config)],
      { timeout: 120_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`))
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)))
      },
    )
  })
}

const redis = await startRedis()
const raw = new Redis(redis.url)
console.log(
  `# stampede and expiry storm, ${new Date().toISOString()}, ${cpus().length} x ${cpus()[0]?.model}, load ${loadavg()[0].toFixed(2)}, node ${process.version}`,
)

console.log('\n## Stampede: 4 processes x 250 callers, one cold key, 100 ms function')
console.log('| lock | function runs | callers p50 (ms) | callers p99 (ms) | max (ms) |')
console.log('| --- | --- | --- | --- | --- |')
for (const lock of [false, true]) {
  const namespace = `bench.stampede.${lock}.${Date.now()}`
  const startAt = Date.now() + 2000
  const results = await Promise.all(
    Array.from({ length: 4 }, () =>
      run(stampedeWorker, {
        entry,
        url: redis.url,
        namespace,
        lock,
        callers: 250,
        delayMs: 100,
        startAt,
        id: 1,
      }),
    ),
  )
  const runs = Number(await raw.get(`${namespace}:stats:runs`))
  const p50 = Math.max(...results.map((r) => r.p50))
  const p99 = Math.max(...results.map((r) => r.p99))
  const max = Math.max(...results.map((r) => r.max))
  console.log(
    `| ${lock ? 'on' : 'off'} | ${runs} | ${p50.toFixed(1)} | ${p99.toFixed(1)} | ${max.toFixed(1)} |`,
  )
}

const KEYS = 10_000
console.log(
  `\n## Expiry storm: ${KEYS} keys written together (TTL 20 s), 2 processes x 2,000 reads/s for 30 s, 5 ms function`,
)
console.log(
  '| setting | peak runs in one second | peak function concurrency | runs after warm-up | misses seen by callers |',
)
console.log('| --- | --- | --- | --- | --- |')
for (const [label, jitter, refreshAhead] of [
  ['jitter off', false, false],
  ['jitter ±10 % (default)', 0.1, false],
  ['jitter ±10 % + refresh-ahead 0.5', 0.1, 0.5],
]) {
  const namespace = `bench.storm.${Date.now()}`
  const t0 = Date.now() + 2000
  const common = {
    entry,
    url: redis.url,
    namespace,
    keys: KEYS,
    ttl: 20,
    jitter,
    refreshAhead,
    functionMs: 5,
    ratePerSec: 2000,
    readMs: 30_000,
    t0,
  }
  const results = await Promise.all([
    run(stormWorker, { ...common, first: 0, count: KEYS / 2 }),
    run(stormWorker, { ...common, first: KEYS / 2, count: KEYS / 2 }),
  ])
  const seconds = []
  for (let s = 0; s < 40; s++) seconds.push(Number((await raw.get(`${namespace}:stats:second:${s}`)) ?? 0))
  // The first seconds are the warm-up writes; the storm is what comes after.
  const warm = seconds.findIndex((n, i) => i > 0 && n === 0 && seconds[i - 1] !== 0)
  const after = seconds.slice(warm === -1 ? 3 : warm)
  const peak = Math.max(...after)
  const concurrency = Number(await raw.get(`${namespace}:stats:peak:storm`))
  const total = after.reduce((a, b) => a + b, 0)
  const misses = results.reduce((n, r) => n + r.misses, 0) - KEYS
  console.log(`| ${label} | ${peak} | ${concurrency} | ${total} | ${misses} |`)
  console.log(`<!-- runs per second: ${seconds.join(' ')} -->`)
}
raw.disconnect()
redis.stop()
