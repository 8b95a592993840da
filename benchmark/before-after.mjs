// The hit paths of two builds side by side, interleaved in one process: each round runs every case
// of both builds once, so the machine's drift hits them alike. For "is it as fast as before".
// Usage: npm run build && node benchmark/before-after.mjs <dir of the other build> [--rounds N]
//   the other build: git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npm run build)
//   (a copy of its dist/ and native/ beside a node_modules link works too)
import { cpus } from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { userObject } from './data.mjs'
import { startRedis } from './redis-server.mjs'

const baseDir = process.argv[2]
if (baseDir === undefined) throw new Error('usage: node benchmark/before-after.mjs <dir of the other build>')
const roundsAt = process.argv.indexOf('--rounds')
const ROUNDS = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 3000
const builds = {
  before: await import(pathToFileURL(resolve(baseDir, 'dist/index.js')).href),
  after: await import(new URL('../dist/index.js', import.meta.url).href),
}
const redis = await startRedis()
const load = async (id) => userObject(id)

const cases = {}
for (const [label, lib] of Object.entries(builds)) {
  const backend = new lib.RedisBackend({ url: redis.url })
  const copy = lib.cache(load, { namespace: `ba-${label}-copy`, ttl: 300, backend: null })
  const frozen = lib.cache(load, {
    namespace: `ba-${label}-frozen`,
    ttl: 300,
    backend: null,
    l1: { mode: 'frozen' },
  })
  const l2 = lib.cache(load, { namespace: `ba-${label}-l2`, ttl: 300, backend, l1: false })
  const byKey = lib.createCache({ namespace: `ba-${label}-bykey`, ttl: 300, backend: null })
  await byKey.set('user:42', userObject(42))
  cases[`L1 hit, copy (${label})`] = () => copy(42)
  cases[`L1 hit, frozen (${label})`] = () => frozen(42)
  cases[`by-key get, L1 hit (${label})`] = () => byKey.get('user:42')
  cases[`L2 hit, L1 off, sequential (${label})`] = () => l2(42)
}
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let i = 0; i < 300; i++) for (const run of Object.values(cases)) await run()
// L1 hits are timed in batches of 50 (a single sub-microsecond call is below the timer's resolution).
for (let i = 0; i < ROUNDS; i++) {
  for (const [name, run] of Object.entries(cases)) {
    const batch = name.startsWith('L2') ? 1 : 50
    const t = process.hrtime.bigint()
    for (let j = 0; j < batch; j++) await run()
    times[name].push(Number(process.hrtime.bigint() - t) / batch)
  }
}
const median = (a) => a.sort((x, y) => x - y)[a.length >> 1]
console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${ROUNDS} interleaved rounds`,
)
console.log('\n| path | before | after | after / before (time) |\n|---|---|---|---|')
for (const name of Object.keys(cases).filter((n) => n.endsWith('(before)'))) {
  const path = name.replace(' (before)', '')
  const b = median(times[name])
  const a = median(times[`${path} (after)`])
  const fmt = (ns) => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`)
  console.log(`| ${path} | ${fmt(b)} | ${fmt(a)} | ${(a / b).toFixed(2)} |`)
}
redis.stop()
process.exit(0)
