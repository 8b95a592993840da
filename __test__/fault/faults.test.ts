/**
 * Every fault, end to end: 32 callers, a 1 ms function, half the keys without L1, a real
 * redis-server behind the fault proxy (network faults) or signalled itself (process faults).
 */
import { describe, expect, it } from 'vitest'
import { CACHE_DEFAULTS } from '../../src/index.js'
import { describeReport, FAULTS, type FaultReport, runFault } from './harness.js'

const RECOVERY_MS = 500
const FAULT_MS = 2000
const RSS_BOUND_BYTES = 64 * 2 ** 20

function expectNoHarm(r: FaultReport): void {
  expect(r.wrong, 'calls that got a wrong value or rejected').toEqual([])
  expect(r.unhandled, 'unhandled rejections').toEqual([])
  expect(r.rssGrowthBytes).toBeLessThan(RSS_BOUND_BYTES)
}

describe('under each fault every call returns its value, within the deadline, and caching resumes', () => {
  for (const fault of FAULTS) {
    it(fault.name, async () => {
      const r = await runFault(fault, {
        faultMs: FAULT_MS,
        reliability: { breaker: { recoveryMs: RECOVERY_MS } },
        recoveryLimitMs: RECOVERY_MS + 4000,
      })
      const report = describeReport(r)
      console.info(report)
      expectNoHarm(r)
      // A call pays at most one deadline and its function; nothing waits for a dead store twice.
      const bound = CACHE_DEFAULTS.l2TimeoutMs + r.fnP99 + 50
      expect(r.p99, report).toBeLessThanOrEqual(bound)
      expect(r.l2Only.p99, report).toBeLessThanOrEqual(bound)
      // Once the breaker is open a call costs the function and microseconds (calls without L1).
      expect(r.openCalls, report).toBeGreaterThan(0)
      expect(r.openP50, report).toBeLessThanOrEqual(5)
      expect(r.recoveryMs, `caching never resumed: ${report}`).not.toBeNull()
      expect(r.recoveryMs, report).toBeLessThanOrEqual(RECOVERY_MS + 2000)
    })
  }
})

describe('with pure defaults', () => {
  it('no call takes longer than 1 s during a black hole', async () => {
    const blackhole = FAULTS.find((f) => f.name === 'black hole')
    if (blackhole === undefined) throw new Error('no black hole fault')
    const r = await runFault(blackhole, { faultMs: FAULT_MS, recoveryLimitMs: 0 })
    const report = describeReport(r)
    console.info(report)
    expectNoHarm(r)
    expect(r.max, report).toBeLessThan(1000)
  })
})
