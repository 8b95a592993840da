import { describe, expect, it, vi } from 'vitest'
import { cache, MemoryBackend } from '../../src/index.js'

const quiet = { warn: vi.fn(), debug: () => {} }

describe('every serializer through L2 (envelope round trip)', () => {
  const cases: Array<[string, unknown, (v: unknown) => void]> = [
    ['msgpack', { a: [1, 'x'], d: new Date(3) }, (v) => expect(v).toEqual({ a: [1, 'x'], d: new Date(3) })],
    [
      'auto',
      { m: new Map([[1, new Set([2n])]]), u: undefined, z: -0 },
      (v) => {
        expect(v).toEqual({ m: new Map([[1, new Set([2n])]]), u: undefined, z: -0 })
        expect(Object.is((v as { z: number }).z, -0)).toBe(true)
      },
    ],
    ['json', { a: [1, null] }, (v) => expect(v).toEqual({ a: [1, null] })],
    ['raw', Buffer.from('bytes'), (v) => expect(Buffer.from(v as Buffer).toString()).toBe('bytes')],
  ]
  for (const [serializer, value, check] of cases) {
    it(`${serializer}: a second cache reads the first one's entry`, async () => {
      const backend = new MemoryBackend()
      const namespace = `ser-${serializer}`
      const options = { namespace, backend, serializer: serializer as 'msgpack' }
      let result: unknown = value
      const load = async (): Promise<unknown> => result
      await cache(load, options)()
      result = 'recomputed'
      const reader = cache(load, options)
      check(await reader())
      expect(reader.info()).toMatchObject({
        l2Hits: 1,
        errors: 0,
        serializer: serializer === 'auto' ? 'msgpack-js' : serializer,
      })
    })
  }

  it('arrow: loads apache-arrow on first use and round-trips a Table', async () => {
    const { tableFromArrays } = await import('apache-arrow')
    const backend = new MemoryBackend()
    const options = { namespace: 'ser-arrow', backend, serializer: 'arrow' as const }
    let result: unknown = tableFromArrays({ x: Int32Array.from([1, 2]) })
    const load = async (): Promise<unknown> => result
    await cache(load, options)()
    result = null
    const reader = cache(load, options)
    const table = (await reader()) as { numRows: number }
    expect(table.numRows).toBe(2)
    expect(reader.info().l2Hits).toBe(1)
  })

  it('an entry written by another serializer is a miss, not a wrong value', async () => {
    const backend = new MemoryBackend()
    let result = { a: 1 }
    const load = async () => result
    await cache(load, { namespace: 'ser-mix', backend, serializer: 'json' })()
    result = { a: 2 }
    const reader = cache(load, { namespace: 'ser-mix', backend, logger: quiet })
    expect(await reader()).toEqual({ a: 2 })
    expect(reader.info().integrityErrors).toBe(1)
  })
})
