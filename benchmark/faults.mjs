// Call latency under each fault, with default settings: 32 concurrent callers, a 1 ms function, half
// the keys without L1, a real redis-server behind the fault proxy of the tests (network faults) or
// signalled itself (process faults). Calls that start during the fault window are measured.
// Usage: npm run build:ts && node benchmark/faults.mjs [<dir of another build>] [--fault-ms N]
//   (the other build as for before-after.mjs: a worktree with dist/ and native/, or a copy of them)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2)
const faultMsAt = args.indexOf('--fault-ms')
const FAULT_MS = faultMsAt >= 0 ? Number(args[faultMsAt + 1]) : 4000
const buildDir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--fault-ms')
const lib = await import(
  buildDir === undefined
    ? new URL('../dist/index.js', import.meta.url).href
    : pathToFileURL(resolve(buildDir, 'dist/index.js')).href
)

// The proxy and the server control are the fault suite's own (TypeScript): bundled once for node.
const work = mkdtempSync(join(tmpdir(), 'ck-faults-'))
const entry = join(work, 'entry.ts')
writeFileSync(
  entry,
  `export { FaultProxy } from '${root}__test__/support/fault-proxy.ts'\nexport { RedisProcess } from '${root}__test__/fault/redis-process.ts'\n`,
)
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: join(work, 'faults.mjs'),
})
const { FaultProxy, RedisProcess } = await import(pathToFileURL(join(work, 'faults.mjs')).href)
rmSync(work, { recursive: true, force: true })

const CALLERS = 32
const KEYS = 200
const FN_MS = 1
const WARM_UP_MS = 1000
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const quiet = { warn() {} }

const FAULTS = [
  { name: 'none', network: true, begin() {}, end() {} },
  {
    name: '+300 ms latency',
    network: true,
    begin: ({ proxy }) => proxy.latency(300),
    end: ({ proxy }) => proxy.pass(),
  },
  {
    name: 'stall (socket open, no bytes)',
    network: true,
    begin: ({ proxy }) => proxy.stall(),
    end: ({ proxy }) => proxy.pass(),
  },
  {
    name: 'connection reset',
    network: true,
    begin: ({ proxy }) => proxy.reset(),
    end: ({ proxy }) => proxy.pass(),
  },
  {
    name: 'black hole',
    network: true,
    begin: ({ proxy }) => proxy.blackhole(),
    end: ({ proxy }) => proxy.pass(),
  },
  {
    name: 'redis-server SIGSTOP',
    network: false,
    begin: ({ server }) => server.pause(),
    end: ({ server }) => server.resume(),
  },
  {
    name: 'redis-server SIGKILL',
    network: false,
    begin: ({ server }) => server.kill(),
    end: ({ server }) => server.restart(),
  },
]

const largest = (values) => values.reduce((a, b) => Math.max(a, b), 0)

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function measure(fault) {
  const server = await RedisProcess.start()
  const proxy = fault.network ? await FaultProxy.start(server.port) : null
  const backend = new lib.RedisBackend({ url: proxy?.url ?? server.url })
  const fn = async (key) => {
    await sleep(FN_MS)
    return { key, text: `value ${key}` }
  }
  const tag = fault.name.replace(/[^a-z0-9]+/gi, '-')
  const functions = [
    lib.cache(fn, { namespace: `bench-${tag}-l1`, backend, ttl: 60, logger: quiet }),
    lib.cache(fn, { namespace: `bench-${tag}`, backend, ttl: 60, l1: false, logger: quiet }),
  ]
  let phase = 'warm-up'
  let running = true
  let wrong = 0
  const samples = []
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  const loop = async () => {
    while (running) {
      const key = Math.floor(Math.random() * KEYS)
      const started = performance.now()
      const at = phase
      try {
        const value = await functions[key % 2](key)
        if (value.key !== key) wrong++
      } catch {
        wrong++
      }
      samples.push({ at, l2Only: key % 2 === 1, ms: performance.now() - started })
      await new Promise((r) => setImmediate(r))
    }
  }
  const loops = Array.from({ length: CALLERS }, loop)
  await sleep(WARM_UP_MS)
  phase = 'fault'
  await fault.begin({ proxy, server })
  await sleep(FAULT_MS)
  phase = 'after'
  await fault.end({ proxy, server })
  running = false
  await Promise.all(loops)
  await Promise.all(functions.map((f) => f.close()))
  await proxy?.close()
  await server.stop()
  await sleep(50)
  process.off('unhandledRejection', onUnhandled)
  const all = samples.filter((s) => s.at === 'fault').map((s) => s.ms)
  const l2 = samples.filter((s) => s.at === 'fault' && s.l2Only).map((s) => s.ms)
  return { name: fault.name, all, l2, wrong, unhandled: unhandled.length }
}

const ms = (v) =>
  v >= 1000 ? `${(v / 1000).toFixed(1)} s` : v >= 10 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`
console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load ${loadavg()[0].toFixed(1)}, ` +
    `${new Date().toISOString().slice(0, 10)}; build ${buildDir ?? 'this repo'}; ${CALLERS} callers, ${FN_MS} ms function, ` +
    `${FAULT_MS} ms per fault, default settings`,
)
console.log('\n| fault | p50 | p99 | max | without L1: p50 | p99 | max | calls | wrong | unhandled |')
console.log('|---|---|---|---|---|---|---|---|---|---|')
for (const fault of FAULTS) {
  const r = await measure(fault)
  console.log(
    `| ${r.name} | ${ms(percentile(r.all, 50))} | ${ms(percentile(r.all, 99))} | ${ms(largest(r.all))} | ` +
      `${ms(percentile(r.l2, 50))} | ${ms(percentile(r.l2, 99))} | ${ms(largest(r.l2))} | ${r.all.length} | ${r.wrong} | ${r.unhandled} |`,
  )
}
process.exit(0)
