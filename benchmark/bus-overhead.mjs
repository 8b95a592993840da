// Hit paths with the invalidation bus on and off, interleaved in one process against one
// redis-server: L1 hits (copy and frozen) and L2 hits (L1 off, sequential).
// Usage: npm run build:ts && node benchmark/bus-overhead.mjs [--rounds N]
import { cpus, loadavg } from 'node:os'
import { cache, RedisBackend } from '../dist/index.js'
import { userObject } from './data.mjs'
import { startRedis } from './redis-server.mjs'

const at = process.argv.indexOf('--rounds')
const ROUNDS = at > 0 ? Number(process.argv[at + 1]) : 2000
const redis = await startRedis()
const load = async (id) => userObject(id)
const cases = {}
for (const bus of [false, true]) {
  const backend = new RedisBackend({ url: redis.url })
  const label = bus ? 'bus on' : 'bus off'
  const common = { backend, ttl: 300, invalidationBus: bus }
  const copy = cache(load, { namespace: `bus-${bus}-copy`, ...common })
  const frozen = cache(load, { namespace: `bus-${bus}-frozen`, ...common, l1: { mode: 'frozen' } })
  const l2 = cache(load, { namespace: `bus-${bus}-l2`, ...common, l1: false })
  cases[`L1 hit, copy (${label})`] = () => copy(42)
  cases[`L1 hit, frozen (${label})`] = () => frozen(42)
  cases[`L2 hit, L1 off, sequential (${label})`] = () => l2(42)
}
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let i = 0; i < 300; i++) for (const run of Object.values(cases)) await run()
for (let i = 0; i < ROUNDS; i++) {
  for (const [name, run] of Object.entries(cases)) {
    const batch = name.startsWith('L2') ? 1 : 50
    const t = process.hrtime.bigint()
    for (let j = 0; j < batch; j++) await run()
    times[name].push(Number(process.hrtime.bigint() - t) / batch)
  }
}
const median = (a) => a.sort((x, y) => x - y)[a.length >> 1]
const fmt = (ns) => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`)
console.log(
  `${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load ${loadavg()[0].toFixed(2)}, ${ROUNDS} interleaved rounds`,
)
console.log('| path | bus off | bus on | on / off |\n| --- | --- | --- | --- |')
for (const name of Object.keys(cases).filter((n) => n.endsWith('(bus off)'))) {
  const path = name.replace(' (bus off)', '')
  const off = median(times[name])
  const on = median(times[`${path} (bus on)`])
  console.log(`| ${path} | ${fmt(off)} | ${fmt(on)} | ${(on / off).toFixed(2)} |`)
}
redis.stop()
process.exit(0)
