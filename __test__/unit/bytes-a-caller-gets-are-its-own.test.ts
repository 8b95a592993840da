import { describe, expect, it, vi } from 'vitest'
import { cache, MemoryBackend } from '../../src/index.js'

// In copy mode every caller gets a value of its own, Buffers included: the caller that computed a
// value and the caller that read it from L2 get the decode of bytes that L1 then keeps, so the bin
// values they get must be copies, not views of those bytes. Writing into them must not change
// what any later hit returns.

const record = () => ({ id: 1, blob: Buffer.from('original') })

describe('a Buffer inside a cached value', () => {
  it('returned by a miss is the caller’s own: writing into it changes no later hit', async () => {
    const get = cache(async (_id: number) => record(), {
      namespace: 'own-bytes-miss',
      logger: { warn: vi.fn() },
    })
    const computed = await get(1)
    computed.blob.fill(0)
    const hit = await get(1)
    expect(hit.blob.toString()).toBe('original')
    expect((await get(1)).blob.toString()).toBe('original')
  })

  it('returned by an L2 hit is the caller’s own: writing into it changes no later L1 hit', async () => {
    const backend = new MemoryBackend()
    const load = async (_id: number) => record()
    await cache(load, { namespace: 'own-bytes-l2', backend, l1: false, logger: { warn: vi.fn() } })(1)
    const reader = cache(load, { namespace: 'own-bytes-l2', backend, logger: { warn: vi.fn() } })
    const fromL2 = await reader(1)
    expect(reader.info().l2Hits).toBe(1)
    fromL2.blob.fill(0)
    const hit = await reader(1)
    expect(reader.info().l1Hits).toBe(1)
    expect(hit.blob.toString()).toBe('original')
  })
})
