import { describe, expect, it } from 'vitest'
import { CacheStats, HIT_SAMPLE_INTERVAL } from '../../src/cache/stats.js'
import { BackendError } from '../../src/errors.js'

// The counters behind info(): what they add up to, and how L1 hits are sampled for latency.

describe('info() counters', () => {
  it('hits are L1 hits plus L2 hits plus coalesced calls', () => {
    const stats = new CacheStats()
    stats.l1Hits = 5
    stats.l2Hit()
    stats.l2Hit()
    stats.joined()
    expect(stats.hits).toBe(8)
  })

  it('the mean latency of a cache that has served nothing is 0, not NaN', () => {
    expect(new CacheStats().avgLatencyMs).toBe(0)
  })

  it('a backend that rejects with something other than a BackendError counts as a transient L2 error', () => {
    const stats = new CacheStats()
    stats.l2Error('ns', 'k', 'read', new TypeError('client bug'))
    stats.l2Error('ns', 'k', 'write', new BackendError('REDIS_ERROR', 'refused', { kind: 'connection' }))
    expect(stats.l2Errors).toMatchObject({ transient: 1, connection: 1 })
    expect(stats).toMatchObject({ l2ReadErrors: 1, l2WriteErrors: 1 })
  })

  it('exactly one call in HIT_SAMPLE_INTERVAL (64) is sampled for latency: the 64th, the 128th, ...', () => {
    const stats = new CacheStats()
    const sampled: number[] = []
    for (let call = 1; call <= 4 * HIT_SAMPLE_INTERVAL; call++) if (stats.sampleCall()) sampled.push(call)
    expect(HIT_SAMPLE_INTERVAL).toBe(64)
    expect(sampled).toStrictEqual([64, 128, 192, 256])
  })
})
