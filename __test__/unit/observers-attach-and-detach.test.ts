import { describe, expect, it, vi } from 'vitest'
import { CacheEvents } from '../../src/cache/events.js'

// Observers of a cache's events: each detach function removes its own observer and nothing else,
// and the L1-hit path is switched on exactly while an observer that wants L1 hits is attached.

describe('CacheEvents', () => {
  it('detaching the first observer stops it hearing; the others still hear', () => {
    const events = new CacheEvents()
    const first = vi.fn()
    const second = vi.fn()
    const detachFirst = events.observe({ miss: first })
    events.observe({ miss: second })
    detachFirst()
    events.emit('miss', 'ns', 'k')
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledWith('ns', 'k')
  })

  it('detaching twice removes nothing more', () => {
    const events = new CacheEvents()
    const kept = vi.fn()
    const detach = events.observe({ miss: vi.fn() })
    events.observe({ miss: kept })
    detach()
    detach()
    events.emit('miss', 'ns', 'k')
    expect(kept).toHaveBeenCalledOnce()
  })

  it('L1 hits are wanted while an observer with l1Hit is attached, and no longer', () => {
    const events = new CacheEvents()
    expect(events.wantsL1Hit).toBe(false)
    const detachOther = events.observe({ miss: vi.fn() })
    expect(events.wantsL1Hit).toBe(false)
    const detachHits = events.observe({ l1Hit: vi.fn() })
    expect(events.wantsL1Hit).toBe(true)
    detachOther()
    expect(events.wantsL1Hit).toBe(true)
    detachHits()
    expect(events.wantsL1Hit).toBe(false)
  })

  it('an observer with l1HitWhen wants L1 hits only while its switch is on', () => {
    const events = new CacheEvents()
    const channel = { hasSubscribers: false }
    const detach = events.observe({ l1Hit: vi.fn(), l1HitWhen: channel })
    expect(events.wantsL1Hit).toBe(false)
    channel.hasSubscribers = true
    expect(events.wantsL1Hit).toBe(true)
    detach()
    expect(events.wantsL1Hit).toBe(false)
  })
})
