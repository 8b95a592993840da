/**
 * One fault under load, end to end on a real redis-server: warm up, inject the fault, end it, wait
 * for caching to resume (a value written after recovery visible to a raw client), and report what
 * the callers saw.
 */
import { Redis } from 'ioredis'
import type { ReliabilityOptions } from '../../src/backends/reliability-options.js'
import { cache, RedisBackend } from '../../src/index.js'
import { FaultProxy } from '../support/fault-proxy.js'
import { Load, percentile, slowFunction } from './load.js'
import { RedisProcess } from './redis-process.js'

export const FN_MS = 1
const CALLERS = 32
const KEYS = 200
const WARM_UP_MS = 400
const AFTER_MS = 300

export interface Fault {
  readonly name: string
  /** Through the proxy (network faults) or straight to the server (process faults). */
  readonly network: boolean
  begin(env: { proxy: FaultProxy | null; server: RedisProcess }): Promise<void> | void
  end(env: { proxy: FaultProxy | null; server: RedisProcess }): Promise<void> | void
}

export interface FaultReport {
  readonly name: string
  readonly calls: number
  readonly p50: number
  readonly p99: number
  readonly max: number
  /** The same, of the calls of the function without L1 (each needs L2 or the function). */
  readonly l2Only: { readonly p50: number; readonly p99: number; readonly max: number }
  /** p50 and p99 of the function's own time during the fault (a 1 ms timer on a busy machine is more). */
  readonly fnP50: number
  readonly fnP99: number
  /** p50 of calls without L1 that started while the breaker was open. */
  readonly openP50: number
  readonly openCalls: number
  /** From the end of the fault to a value written through the cache being readable raw; null: never. */
  readonly recoveryMs: number | null
  readonly wrong: readonly unknown[]
  readonly unhandled: readonly unknown[]
  readonly rssGrowthBytes: number
}

const largest = (values: readonly number[]) => values.reduce((a, b) => Math.max(a, b), 0)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const quiet = { warn() {} }

/** Caches through `url` until a call's value is readable by a raw client, for at most `limitMs`. */
async function waitForCaching(
  probe: (key: number) => Promise<unknown>,
  keyOf: (key: number) => string,
  raw: Redis,
  limitMs: number,
): Promise<number | null> {
  const started = performance.now()
  let n = 1_000_000
  while (performance.now() - started < limitMs) {
    const key = n++
    await probe(key)
    const stored = await raw.getBuffer(keyOf(key)).catch(() => null)
    if (stored !== null) return performance.now() - started
    await sleep(25)
  }
  return null
}

export async function runFault(
  fault: Fault,
  options: { faultMs: number; reliability?: ReliabilityOptions; recoveryLimitMs: number },
): Promise<FaultReport> {
  const server = await RedisProcess.start()
  const proxy = fault.network ? await FaultProxy.start(server.port) : null
  const backend = new RedisBackend({
    url: proxy?.url ?? server.url,
    ...(options.reliability === undefined ? {} : { reliability: options.reliability }),
  })
  const raw = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => 50 })
  raw.on('error', () => {})
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  const fnTimes: Array<{ phase: string; ms: number }> = []
  let load: Load | undefined
  const fn = slowFunction(FN_MS, fnTimes, () => load as Load)
  const tag = fault.name.replace(/[^a-z0-9]+/gi, '-')
  const withL1 = cache(fn, { namespace: `fault-${tag}-l1`, backend, ttl: 60, logger: quiet })
  const withoutL1 = cache(fn, { namespace: `fault-${tag}`, backend, ttl: 60, l1: false, logger: quiet })
  load = new Load([withL1, withoutL1], { callers: CALLERS, keys: KEYS })
  try {
    load.start()
    await sleep(WARM_UP_MS)
    globalThis.gc?.()
    const rssBefore = process.memoryUsage().rss
    load.phase = 'fault'
    await fault.begin({ proxy, server })
    await sleep(options.faultMs)
    load.phase = 'recovery'
    await fault.end({ proxy, server })
    const recoveryMs =
      options.recoveryLimitMs === 0
        ? null
        : await waitForCaching(
            (key) => withoutL1(key),
            (key) => withoutL1.key(key),
            raw,
            options.recoveryLimitMs,
          )
    load.phase = 'after'
    await sleep(AFTER_MS)
    await load.stop()
    globalThis.gc?.()
    const rssGrowthBytes = process.memoryUsage().rss - rssBefore
    const during = load.samples.filter((s) => s.phase === 'fault')
    const open = during.filter((s) => s.breaker === 'open' && s.l2Only).map((s) => s.ms)
    const ms = during.map((s) => s.ms)
    const l2Ms = during.filter((s) => s.l2Only).map((s) => s.ms)
    const faultFnTimes = fnTimes.filter((t) => t.phase === 'fault').map((t) => t.ms)
    return {
      name: fault.name,
      calls: ms.length,
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
      max: largest(ms),
      l2Only: { p50: percentile(l2Ms, 50), p99: percentile(l2Ms, 99), max: largest(l2Ms) },
      fnP50: percentile(faultFnTimes, 50),
      fnP99: percentile(faultFnTimes, 99),
      openP50: percentile(open, 50),
      openCalls: open.length,
      recoveryMs,
      wrong: load.wrong,
      unhandled,
      rssGrowthBytes,
    }
  } finally {
    await load.stop()
    await withL1.close()
    await withoutL1.close()
    raw.disconnect()
    await proxy?.close()
    await server.stop()
    await sleep(20)
    process.off('unhandledRejection', onUnhandled)
  }
}

/** The network faults through the proxy, and the process faults on the server. */
export const FAULTS: readonly Fault[] = [
  {
    name: '+300 ms latency',
    network: true,
    begin: ({ proxy }) => proxy?.latency(300),
    end: ({ proxy }) => proxy?.pass(),
  },
  {
    name: 'stall (socket open, no bytes)',
    network: true,
    begin: ({ proxy }) => proxy?.stall(),
    end: ({ proxy }) => proxy?.pass(),
  },
  {
    name: 'connection reset',
    network: true,
    begin: ({ proxy }) => proxy?.reset(),
    end: ({ proxy }) => proxy?.pass(),
  },
  {
    name: 'black hole',
    network: true,
    begin: ({ proxy }) => proxy?.blackhole(),
    end: ({ proxy }) => proxy?.pass(),
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

export function describeReport(r: FaultReport): string {
  const f = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1))
  return (
    `${r.name}: ${r.calls} calls, p50 ${f(r.p50)} ms, p99 ${f(r.p99)} ms, max ${f(r.max)} ms; ` +
    `without L1 p50 ${f(r.l2Only.p50)} ms, p99 ${f(r.l2Only.p99)} ms, max ${f(r.l2Only.max)} ms; ` +
    `fn p50 ${f(r.fnP50)} ms, p99 ${f(r.fnP99)} ms, open p50 ${f(r.openP50)} ms (${r.openCalls} calls), ` +
    `recovery ${r.recoveryMs === null ? 'never' : `${f(r.recoveryMs)} ms`}, rss +${(r.rssGrowthBytes / 2 ** 20).toFixed(1)} MiB`
  )
}
