import { describe, expect, it, vi } from 'vitest'
import type { CacheObserver } from '../../src/cache/events.js'
import { BackendError } from '../../src/errors.js'
import { cache, createCache, keyFromUserKey, MemoryBackend } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

// Every failed store operation reaches observers as an l2Error with what was being done ('read',
// 'write' or 'delete') and the key it was for: metrics and traces label failures by them.

const watching = (observer: CacheObserver) => ({
  attach: (c: { events: { observe(o: CacheObserver): unknown } }) => c.events.observe(observer),
})

function failing(ops: Parameters<FaultyBackend['fail']>[1]) {
  const backend = new FaultyBackend(new MemoryBackend()).fail(new BackendError('REDIS_ERROR', 'refused'), ops)
  const reported: Array<[string, string]> = []
  const observe = watching({ l2Error: (_ns, key, operation) => reported.push([operation, key]) })
  return { backend, reported, observe, logger: { warn: vi.fn() }, reliability: { breaker: false as const } }
}

describe('failed store operations are reported with their operation and key', () => {
  it("a cached call's failed write: 'write', and a warning that the value is served from L1 only", async () => {
    const { reported, ...options } = failing(['set'])
    const get = cache(async (id: number) => `v${id}`, { namespace: 'fail-write', ...options })
    expect(await get(1)).toBe('v1')
    expect(reported).toStrictEqual([['write', get.key(1)]])
    expect(options.logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'l2-write-failed', namespace: 'fail-write' }),
      "L2 write failed in namespace fail-write; the value is served from this process's L1 only",
    )
  })

  it("by-key set and setMany: 'write', for the first entry's key; the call rejects", async () => {
    const { reported, ...options } = failing(['set', 'setMany'])
    const c = createCache({ namespace: 'fail-set', ...options })
    await expect(c.set('a', 1)).rejects.toThrow(BackendError)
    await expect(
      c.setMany([
        ['b', 2],
        ['c', 3],
      ]),
    ).rejects.toThrow(BackendError)
    expect(reported).toStrictEqual([
      ['write', keyFromUserKey('fail-set', 'a')],
      ['write', keyFromUserKey('fail-set', 'b')],
    ])
  })

  it("by-key delete and invalidate: 'delete', for the key or the first prefix; the call rejects", async () => {
    const { reported, ...options } = failing(['delete', 'deleteByPrefix'])
    const c = createCache({ namespace: 'fail-delete', ...options })
    await expect(c.delete('a')).rejects.toThrow(BackendError)
    await expect(c.invalidate('user:')).rejects.toThrow(BackendError)
    expect(reported).toHaveLength(2)
    expect(reported[0]).toStrictEqual(['delete', keyFromUserKey('fail-delete', 'a')])
    expect(reported[1]?.[0]).toBe('delete')
    expect(reported[1]?.[1]).toBe('ck:fail-delete:user:')
  })
})
