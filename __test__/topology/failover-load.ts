/**
 * Load on a cached function while a primary is killed, and what it did to the calls: every value
 * checked, every call timed, whether it missed L2 (its function ran), the breaker sampled. Each
 * caller has keys of its own, so "the function ran for this key during this call" is exact.
 */

import type { ReliabilityOptions } from '../../src/backends/reliability-options.js'
import { type BackendErrorKind, cache, type RedisBackend } from '../../src/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const expectedValue = (key: number) => ({ key, label: `value of ${key}` })

export interface FailoverSettings {
  readonly backend: RedisBackend
  readonly namespace: string
  readonly reliability: ReliabilityOptions
  /** Kills the primary; called after `steadyMs` of load. */
  readonly kill: () => Promise<void>
  readonly callers?: number
  readonly keysPerCaller?: number
  /** How long the function takes. */
  readonly functionMs?: number
  /** Load before the kill. */
  readonly steadyMs?: number
  /** The run ends once no call has missed L2 for this long (after at least one miss)... */
  readonly quietMs?: number
  /** ...or this long after the kill when no call has missed (a smooth handover)... */
  readonly noMissWaitMs?: number
  /** ...or at the latest this long after the kill. */
  readonly maxAfterKillMs?: number
}

export interface FailoverReport {
  readonly calls: number
  readonly callsAfterKill: number
  /** Calls whose value was not the function's value for their key. */
  readonly wrongValues: number
  /** Calls after the kill that missed L2 (the function ran). */
  readonly missedL2AfterKill: number
  /** Calls before the kill that missed L2 (after the warm-up): 0 on a healthy store. */
  readonly missedL2BeforeKill: number
  /** From the kill to the end of the first and of the last call that missed L2; null: none missed. */
  readonly firstMissMs: number | null
  readonly lastMissMs: number | null
  /** Calls that hit L2 after the last miss: caching had resumed. */
  readonly hitsAfterResume: number
  readonly slowestCallMs: number
  readonly p99CallAfterKillMs: number
  /** From the kill until the breaker first opened, and the time it spent open or half-open in all. */
  readonly breakerOpenedAtMs: number | null
  readonly breakerNotClosedMs: number
  /** L2 failures during the run, by kind, and operations the open breaker refused. */
  readonly l2Errors: Readonly<Record<BackendErrorKind, number>>
  readonly l2Rejected: number
  readonly l2Hits: number
}

interface Call {
  readonly startedAt: number
  readonly endedAt: number
  readonly missed: boolean
}

export async function loadThroughFailover(settings: FailoverSettings): Promise<FailoverReport> {
  const callers = settings.callers ?? 8
  const keysPerCaller = settings.keysPerCaller ?? 16
  const functionMs = settings.functionMs ?? 2
  const steadyMs = settings.steadyMs ?? 1000
  const quietMs = settings.quietMs ?? 2000
  const maxAfterKillMs = settings.maxAfterKillMs ?? 25_000
  const noMissWaitMs = settings.noMissWaitMs ?? 5000
  const runs = new Map<number, number>()
  const fn = cache(
    async (key: number) => {
      runs.set(key, (runs.get(key) ?? 0) + 1)
      await sleep(functionMs)
      return expectedValue(key)
    },
    {
      namespace: settings.namespace,
      backend: settings.backend,
      l1: false,
      reliability: settings.reliability,
      logger: { warn() {} },
    },
  )
  const keys = (caller: number) => Array.from({ length: keysPerCaller }, (_, i) => caller * keysPerCaller + i)
  // Warm-up: every key in L2.
  await Promise.all(Array.from({ length: callers }, (_, c) => Promise.all(keys(c).map((k) => fn(k)))))
  const before = fn.info()

  const calls: Call[] = []
  let wrongValues = 0
  let killedAt: number | null = null
  let stop = false
  let lastMissAt: number | null = null
  const breaker: Array<{ at: number; state: string }> = []
  const sampler = setInterval(
    () => breaker.push({ at: performance.now(), state: String(fn.info().breaker) }),
    20,
  )

  const caller = async (c: number) => {
    const mine = keys(c)
    for (let i = 0; !stop; i++) {
      const key = mine[i % mine.length] as number
      const ranBefore = runs.get(key) ?? 0
      const startedAt = performance.now()
      const value = await fn(key)
      const endedAt = performance.now()
      const missed = (runs.get(key) ?? 0) > ranBefore
      if (JSON.stringify(value) !== JSON.stringify(expectedValue(key))) wrongValues++
      calls.push({ startedAt, endedAt, missed })
      if (missed && killedAt !== null) lastMissAt = endedAt
      await sleep(2)
    }
  }
  const load = Promise.all(Array.from({ length: callers }, (_, c) => caller(c)))

  await sleep(steadyMs)
  killedAt = performance.now()
  await settings.kill()
  for (;;) {
    await sleep(50)
    const now = performance.now()
    if (now - killedAt > maxAfterKillMs) break
    if (lastMissAt !== null && now - lastMissAt > quietMs) break
    if (lastMissAt === null && now - killedAt > noMissWaitMs) break
  }
  stop = true
  await load
  clearInterval(sampler)
  const after = fn.info()

  const kill = killedAt
  const afterKill = calls.filter((call) => call.endedAt >= kill)
  const misses = afterKill.filter((call) => call.missed)
  const durations = afterKill.map((call) => call.endedAt - call.startedAt).sort((a, b) => a - b)
  const notClosed = breaker.filter((s) => s.at >= kill && s.state !== 'closed')
  const last = misses.at(-1)
  const kinds = Object.keys(after.l2Errors) as BackendErrorKind[]
  return {
    calls: calls.length,
    callsAfterKill: afterKill.length,
    wrongValues,
    missedL2AfterKill: misses.length,
    missedL2BeforeKill: calls.filter((call) => call.endedAt < kill && call.missed).length,
    firstMissMs: misses[0] === undefined ? null : misses[0].endedAt - kill,
    lastMissMs: last === undefined ? null : last.endedAt - kill,
    hitsAfterResume:
      last === undefined
        ? afterKill.length
        : afterKill.filter((call) => call.startedAt > last.endedAt).length,
    slowestCallMs: Math.max(...calls.map((call) => call.endedAt - call.startedAt)),
    p99CallAfterKillMs: durations[Math.floor(durations.length * 0.99)] ?? 0,
    breakerOpenedAtMs: notClosed[0] === undefined ? null : notClosed[0].at - kill,
    breakerNotClosedMs: notClosed.length * 20,
    l2Errors: Object.fromEntries(kinds.map((k) => [k, after.l2Errors[k] - before.l2Errors[k]])) as Record<
      BackendErrorKind,
      number
    >,
    l2Rejected: after.l2Rejected - before.l2Rejected,
    l2Hits: after.l2Hits - before.l2Hits,
  }
}
