import { describe, expect, it, vi } from 'vitest'
import { cache, MemoryBackend } from '../../src/index.js'

// In copy mode every caller gets a value of its own, Buffers included: writing into a Buffer it got
// must not change what any later call returns. An L1 hit decodes the entry's bytes (the first hit,
// and every hit of a value too deep to clone), so the bin values it hands out must be copies, not
// views of the bytes L1 keeps.

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

  it('returned by an L1 hit is the caller’s own, also for a value too deep to clone (every hit decodes the bytes)', async () => {
    // cloneDecoded stops at 256 levels: hits of a deeper value decode the entry's bytes each time.
    let deep: unknown = 'leaf'
    for (let i = 0; i < 300; i++) deep = [deep]
    const get = cache(async (_id: number) => ({ blob: Buffer.from('original'), deep }), {
      namespace: 'own-bytes-deep',
      logger: { warn: vi.fn() },
    })
    await get(1)
    for (let hit = 0; hit < 3; hit++) {
      const value = await get(1)
      expect(value.blob.toString(), `hit ${hit}`).toBe('original')
      value.blob.fill(0)
    }
    expect(get.info().l1Hits).toBe(3)
  })
})
