import { describe, expect, it, vi } from 'vitest'
import { MemoryBackend } from '../../src/backends/memory.js'
import { CacheEngine, MISS } from '../../src/cache/engine.js'
import type { CacheObserver } from '../../src/cache/events.js'
import { L1Cache } from '../../src/cache/l1.js'
import { PlainEnvelope } from '../../src/envelope/index.js'
import { StandardSerializer } from '../../src/serializers/index.js'

function engine(namespace: string, backend = new MemoryBackend()) {
  return new CacheEngine({
    namespace,
    ttl: 60,
    serializer: new StandardSerializer(),
    backend,
    l1: new L1Cache(1 << 20),
    l1Mode: 'copy',
    envelope: new PlainEnvelope(),
    onDecryptError: 'throw',
    cacheUndefined: false,
    logger: { warn: vi.fn() },
  })
}

describe('the engine reports to observers', () => {
  it('a miss, its write, an L2 hit and a joined caller, with namespace and key', async () => {
    const backend = new MemoryBackend()
    const writer = engine('events', backend)
    const seen: string[] = []
    const observer: CacheObserver = {
      miss: (ns, key) => seen.push(`miss ${ns} ${key}`),
      write: (_ns, key, bytes) => seen.push(`write ${key} ${bytes > 0}`),
      l2Hit: (_ns, key) => seen.push(`l2Hit ${key}`),
      joined: (_ns, key) => seen.push(`joined ${key}`),
    }
    writer.events.observe(observer)
    await Promise.all([
      writer.fetch('ck:events:k', [], async () => 1),
      writer.fetch('ck:events:k', [], async () => 2),
    ])
    const reader = engine('events', backend)
    reader.events.observe(observer)
    await reader.fetch('ck:events:k', [], async () => 3)
    expect(seen).toEqual([
      'joined ck:events:k',
      'miss events ck:events:k',
      'write ck:events:k true',
      'l2Hit ck:events:k',
    ])
  })

  it('an L1 hit moves a counter and calls no observer unless one asks for L1 hits', async () => {
    const e = engine('l1-events')
    const others = { miss: vi.fn(), l2Hit: vi.fn(), write: vi.fn() }
    e.events.observe(others)
    await e.fetch('ck:l1-events:k', [], async () => 'v')
    expect(e.events.wantsL1Hit).toBe(false)
    expect(e.peek('ck:l1-events:k')).toBe('v')
    expect(e.stats.l1Hits).toBe(1)
    const l1Hit = vi.fn()
    const detach = e.events.observe({ l1Hit })
    expect(e.events.wantsL1Hit).toBe(true)
    expect(e.peek('ck:l1-events:k')).toBe('v')
    expect(l1Hit).toHaveBeenCalledWith('l1-events', 'ck:l1-events:k')
    detach()
    expect(e.events.wantsL1Hit).toBe(false)
    expect(e.peek('ck:missing')).toBe(MISS)
    expect(others.miss).toHaveBeenCalledTimes(1)
    expect(e.stats.l1Hits).toBe(2)
  })

  it('statistics are an observer: a refused entry and a failed read are counted through events', async () => {
    const backend = new MemoryBackend()
    const e = engine('stats-events', backend)
    await backend.set('ck:stats-events:k', Buffer.from('not an envelope'), 60)
    const refused = vi.fn()
    e.events.observe({ refused })
    expect(await e.fetch('ck:stats-events:k', [], async () => 'fresh')).toBe('fresh')
    expect(refused).toHaveBeenCalledOnce()
    expect(e.info()).toMatchObject({ integrityErrors: 1, misses: 1 })
  })
})

describe('L1 entries have a fresh and a stale deadline', () => {
  it('past its TTL an entry is no hit, but is kept for getStale until its stale deadline', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const l1 = new L1Cache(1 << 20)
      l1.setBytes('k', Buffer.from('v'), 1000, 5000)
      l1.setBytes('plain', Buffer.from('p'), 1000)
      vi.setSystemTime(Date.now() + 1500)
      expect(l1.get('k')).toBeUndefined()
      expect(l1.getStale('k')?.bytes?.toString()).toBe('v')
      expect(l1.get('plain')).toBeUndefined()
      expect(l1.getStale('plain')).toBeUndefined()
      vi.setSystemTime(Date.now() + 5000)
      expect(l1.getStale('k')).toBeUndefined()
      expect(l1.size).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('the engine times the wrapped function', () => {
  it('reports each computation with its duration and whether it succeeded', async () => {
    const e = engine('timed')
    const seen: Array<[string, boolean, boolean]> = []
    e.events.observe({ computed: (_ns, key, ms, ok) => seen.push([key, ok, ms >= 20]) })
    await e.fetch('ck:timed:a', [], () => new Promise((resolve) => setTimeout(() => resolve(1), 25)))
    await expect(
      e.fetch('ck:timed:b', [], async () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    await e.fetch('ck:timed:a', [], async () => 2)
    expect(seen).toEqual([
      ['ck:timed:a', true, true],
      ['ck:timed:b', false, false],
    ])
  })
})
