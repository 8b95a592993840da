import { randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { CACHE_DEFAULTS, cache, MemoryBackend } from '../../src/index.js'

// Entries of CACHE_DEFAULTS.asyncEnvelopeBytes (256 KiB) and more are unwrapped on the libuv pool,
// and synchronous functions read an in-process store through its synchronous face. Both paths
// must answer exactly as the common one does: a hit is the stored value; an entry that fails its
// checks is reported, removed and recomputed.

/** The stored entry with one byte of its LZ4 block flipped (its checksum no longer matches). */
function corrupted(entry: Buffer): Buffer {
  const bad = Buffer.from(entry)
  const at = Math.floor(bad.length / 2)
  bad[at] = (bad[at] as number) ^ 0x01
  return bad
}

describe(`an L2 entry of ${CACHE_DEFAULTS.asyncEnvelopeBytes} bytes or more`, () => {
  // Random bytes do not compress: the stored entry is as large as the value.
  const value = randomBytes(CACHE_DEFAULTS.asyncEnvelopeBytes + 1024)

  it('is read back as the stored value, an L2 hit, without running the function', async () => {
    const backend = new MemoryBackend()
    let runs = 0
    const load = async () => {
      runs++
      return value
    }
    await cache(load, { namespace: 'large-hit', backend, serializer: 'raw', l1: false })()
    const reader = cache(load, { namespace: 'large-hit', backend, serializer: 'raw', l1: false })
    expect(((await backend.get(reader.key())) as Buffer).length).toBeGreaterThanOrEqual(
      CACHE_DEFAULTS.asyncEnvelopeBytes,
    )
    expect((await reader()).equals(value)).toBe(true)
    expect(runs).toBe(1)
    expect(reader.info()).toMatchObject({ l2Hits: 1, misses: 0 })
  })

  it('that fails its checks is reported, logged, recomputed and replaced', async () => {
    const backend = new MemoryBackend()
    const logger = { warn: vi.fn() }
    let runs = 0
    const load = async () => {
      runs++
      return value
    }
    const get = cache(load, { namespace: 'large-corrupt', backend, serializer: 'raw', l1: false, logger })
    await get()
    const stored = (await backend.get(get.key())) as Buffer
    await backend.set(get.key(), corrupted(stored), 60)
    expect((await get()).equals(value)).toBe(true)
    expect(runs).toBe(2)
    expect(get.info()).toMatchObject({ integrityErrors: 1, l2Hits: 0 })
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'corrupt-entry' }),
      expect.any(String),
    )
    expect(((await backend.get(get.key())) as Buffer).equals(stored)).toBe(true)
  })
})

describe('a synchronous function reading a corrupt entry from an in-process store', () => {
  it('reports it, removes it, recomputes and stores the new value', () => {
    const backend = new MemoryBackend()
    const logger = { warn: vi.fn() }
    let runs = 0
    const get = cache.local(
      (id: number) => {
        runs++
        return { id, text: 'x'.repeat(64) }
      },
      { namespace: 'sync-corrupt', backend, l1: false, logger },
    )
    expect(get(1)).toStrictEqual({ id: 1, text: 'x'.repeat(64) })
    const sync = backend.sync
    const stored = sync?.getWithTtl(get.key(1))?.value as Buffer
    sync?.set(get.key(1), corrupted(stored), 60)
    expect(get(1)).toStrictEqual({ id: 1, text: 'x'.repeat(64) })
    expect(runs).toBe(2)
    expect(get.info()).toMatchObject({ integrityErrors: 1, l2Hits: 0 })
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'corrupt-entry' }),
      expect.any(String),
    )
    expect(sync?.getWithTtl(get.key(1))?.value.equals(stored)).toBe(true)
    expect(get(1)).toStrictEqual({ id: 1, text: 'x'.repeat(64) })
    expect(get.info()).toMatchObject({ l2Hits: 1 })
  })
})
