import { describe, expect, it, vi } from 'vitest'
import { cache } from '../../src/index.js'

describe('the average latency', () => {
  it('counts a caller that joined a running computation from when it called, not from when the leader did', async () => {
    // A clock that only moves when the test moves it: the mean is then exact.
    let now = 0
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now)
    try {
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const get = cache(
        async (n: number) => {
          await gate
          return n
        },
        { namespace: 'latency-joined', backend: null },
      )
      const leader = get(1)
      now = 100
      const joiner = get(1)
      now = 640
      release()
      expect(await Promise.all([leader, joiner])).toEqual([1, 1])
      const info = get.info()
      expect(info).toMatchObject({ misses: 1, coalesced: 1 })
      // The leader waited 640 ms, the joiner 540 ms.
      expect(info.avgLatencyMs).toBe(590)
    } finally {
      clock.mockRestore()
    }
  })
})
