// What observing a cache costs on its hit paths: L1 hits (copy and frozen) and L2 hits (Redis on
// loopback, L1 off) with nothing observed, with prometheusMetrics(), with openTelemetryTracing()
// (a real SDK tracer, batched, spans discarded) and with both, in interleaved rounds in one process
// (drift hits every case alike); then with a diagnostics_channel subscriber on the hit channel.
// Also the bytes allocated per frozen L1 hit in each configuration.
// Usage: npm run build:ts && node --expose-gc benchmark/observability.mjs [--rounds N] [--baseline <dir of another build>]
//   --baseline adds the L1 and L2 hits of another build with nothing observed ("as fast as before").
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { cpus } from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { Registry } from 'prom-client'
import * as lib from '../dist/index.js'
import { userObject } from './data.mjs'
import { startRedis } from './redis-server.mjs'

const arg = (name) => {
  const at = process.argv.indexOf(name)
  return at > 0 ? process.argv[at + 1] : undefined
}
const ROUNDS = Number(arg('--rounds') ?? 2000)
const baselineDir = arg('--baseline')
if (typeof globalThis.gc !== 'function')
  throw new Error('run with node --expose-gc (for the allocation figures)')

const load = async (id) => userObject(id)
const redis = await startRedis()

// Spans go through a real SDK pipeline (batched export) to an exporter that drops them.
const provider = new BasicTracerProvider({
  spanProcessors: [
    new BatchSpanProcessor({ export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} }),
  ],
})
const tracer = provider.getTracer('bench')
const registry = new Registry()
const configurations = {
  off: undefined,
  prometheus: lib.prometheusMetrics({ registry }),
  tracing: lib.openTelemetryTracing({ tracer }),
  'prometheus + tracing': [lib.prometheusMetrics({ registry }), lib.openTelemetryTracing({ tracer })],
}

const cases = {}
const frozenHits = {}
const backends = []
function addCases(label, build, observe) {
  const backend = new build.RedisBackend({ url: redis.url })
  backends.push(backend)
  const tag = label.replace(/[^\w]+/g, '-')
  const options = (name, extra) => ({
    namespace: `obs-${tag}-${name}`,
    ttl: 300,
    ...extra,
    ...(observe ? { observe } : {}),
  })
  const copy = build.cache(load, options('copy', { backend: null }))
  const frozen = build.cache(load, options('frozen', { backend: null, l1: { mode: 'frozen' } }))
  const l2 = build.cache(load, options('l2', { backend, l1: false }))
  cases[`L1 hit, copy | ${label}`] = () => copy(42)
  cases[`L1 hit, frozen | ${label}`] = () => frozen(42)
  cases[`L2 hit, L1 off | ${label}`] = () => l2(42)
  frozenHits[label] = () => frozen(42)
}
for (const [label, observe] of Object.entries(configurations)) addCases(label, lib, observe)
if (baselineDir !== undefined) {
  const before = await import(pathToFileURL(resolve(baselineDir, 'dist/index.js')).href)
  addCases('off, baseline build', before, undefined)
}

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let i = 0; i < 300; i++) for (const run of Object.values(cases)) await run()
// L1 hits are timed in batches of 50 (one sub-microsecond call is below the timer's resolution).
// Each round starts at the next case, so no case always follows the same one.
const entries = Object.entries(cases)
for (let i = 0; i < ROUNDS; i++) {
  for (let c = 0; c < entries.length; c++) {
    const [name, run] = entries[(i + c) % entries.length]
    const batch = name.startsWith('L2') ? 1 : 50
    const t = process.hrtime.bigint()
    for (let j = 0; j < batch; j++) await run()
    times[name].push(Number(process.hrtime.bigint() - t) / batch)
  }
}

// Then a subscriber on the hit channel (global: every cache's hits are published while it is there),
// for the caches that observe nothing.
const onHit = () => {}
subscribe(lib.DIAGNOSTICS_CHANNELS.hit, onHit)
const subscribed = ['L1 hit, copy', 'L1 hit, frozen', 'L2 hit, L1 off']
for (const path of subscribed) times[`${path} | diagnostics_channel subscriber`] = []
for (let i = 0; i < ROUNDS / 4; i++) {
  for (const path of subscribed) {
    const batch = path.startsWith('L2') ? 1 : 50
    const run = cases[`${path} | off`]
    const t = process.hrtime.bigint()
    for (let j = 0; j < batch; j++) await run()
    times[`${path} | diagnostics_channel subscriber`].push(Number(process.hrtime.bigint() - t) / batch)
  }
}
unsubscribe(lib.DIAGNOSTICS_CHANNELS.hit, onHit)

// Bytes allocated per frozen L1 hit: heap growth over a run short enough for no collection.
async function bytesPerHit(run) {
  const samples = []
  for (let r = 0; r < 7; r++) {
    globalThis.gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 2000; i++) await run()
    samples.push((process.memoryUsage().heapUsed - before) / 2000)
  }
  return samples.sort((a, b) => a - b)[samples.length >> 1]
}
const allocations = {}
for (const [label, run] of Object.entries(frozenHits)) allocations[label] = await bytesPerHit(run)

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1]
const fmt = (ns) => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`)
console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${ROUNDS} interleaved rounds`,
)
console.log('\n| path | observed by | median per hit | time vs off |\n|---|---|---|---|')
for (const path of ['L1 hit, copy', 'L1 hit, frozen', 'L2 hit, L1 off']) {
  const off = median(times[`${path} | off`])
  for (const name of Object.keys(times).filter((n) => n.startsWith(`${path} |`))) {
    const ns = median(times[name])
    console.log(`| ${path} | ${name.split(' | ')[1]} | ${fmt(ns)} | ${(ns / off).toFixed(2)} |`)
  }
}
console.log('\n| frozen L1 hit observed by | bytes allocated per hit (median of 7 × 2000 hits) |\n|---|---|')
for (const [label, bytes] of Object.entries(allocations)) console.log(`| ${label} | ${bytes.toFixed(0)} |`)

await provider.shutdown()
for (const backend of backends) await backend.close()
redis.stop()
process.exit(0)
