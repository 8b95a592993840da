import { tableFromArrays } from 'apache-arrow'
import { describe, expect, it, vi } from 'vitest'
import { cache } from '../../src/index.js'
import { JsonSerializer, type Serializer } from '../../src/serializers/index.js'

const _quiet = { warn: vi.fn(), debug: () => {} }

describe('cache(fn): what each caller gets (copy and frozen L1)', () => {
  it('hands every caller its own copy: mutating a result never changes the next one', async () => {
    const getList = cache(async () => ({ items: [1, 2, 3] }), { namespace: 'list', backend: null })
    const first = await getList()
    first.items.push(4)
    const second = await getList()
    expect(second.items).toEqual([1, 2, 3])
    second.items.pop()
    expect((await getList()).items).toEqual([1, 2, 3])
  })

  it('copies binary data too: writing into the bytes of a hit never reaches the next hit', async () => {
    for (const serializer of ['msgpack', 'msgpack-js', 'raw'] as const) {
      const get = cache(
        async () => (serializer === 'raw' ? Buffer.from([1, 2, 3]) : { b: new Uint8Array([1, 2, 3]) }),
        { namespace: `bincopy-${serializer}`, backend: null, serializer },
      )
      const bytesOf = (v: unknown) => (serializer === 'raw' ? (v as Uint8Array) : (v as { b: Uint8Array }).b)
      bytesOf(await get())[0] = 9
      const hit = bytesOf(await get())
      expect([...hit], serializer).toEqual([1, 2, 3])
      hit[1] = 9
      expect([...bytesOf(await get())], serializer).toEqual([1, 2, 3])
    }
  })

  it('copies Arrow tables: writing into the vectors of a hit never reaches the next hit', async () => {
    const get = cache(async () => tableFromArrays({ a: Int32Array.from([1, 2, 3]) }), {
      namespace: 'arrowcopy',
      backend: null,
      serializer: 'arrow',
    })
    await get()
    const hit = await get()
    ;(hit.getChild('a')?.data[0]?.values as Int32Array)[0] = 99
    expect([...((await get()).getChild('a')?.toArray() ?? [])]).toEqual([1, 2, 3])
  })

  it('copy mode: hits cloned from the decoded template never share state with each other', async () => {
    const make = () => ({ d: new Date(5), b: Buffer.from([1, 2]), nested: { list: [{ n: 1 }] } })
    for (const serializer of ['msgpack', 'msgpack-js'] as const) {
      const get = cache(async () => make(), {
        namespace: `template-${serializer}`,
        backend: null,
        serializer,
      })
      for (let i = 0; i < 4; i++) {
        const hit = await get()
        expect(hit, `${serializer} hit ${i}`).toEqual(make())
        hit.d.setTime(0)
        hit.b[0] = 9
        hit.nested.list[0] = { n: 2 }
        hit.nested.list.push({ n: 3 })
      }
      expect(get.info().l1Hits).toBe(3)
    }
  })

  it('copy mode: values a serializer cannot clone are decoded on every hit', async () => {
    const plain = new JsonSerializer()
    const custom: Serializer = {
      format: 'json',
      isMsgpack: false,
      serialize: (v) => plain.serialize(v),
      deserialize: (b) => plain.deserialize(b),
    }
    const proto = () => JSON.parse('{"__proto__":{"a":1},"x":[1]}') as { x: number[] }
    for (const [name, serializer] of [
      ['custom', custom],
      ['json', plain],
    ] as const) {
      const get = cache(async () => proto(), { namespace: `noclone-${name}`, backend: null, serializer })
      for (let i = 0; i < 3; i++) {
        const hit = await get()
        expect(Object.hasOwn(hit, '__proto__'), name).toBe(true)
        expect(hit.x, name).toEqual([1])
        hit.x.push(2)
      }
    }
  })

  it('frozen L1 mode returns one deep-frozen object', async () => {
    const getCfg = cache(async () => ({ nested: { a: 1 } }), {
      namespace: 'cfg',
      backend: null,
      l1: { mode: 'frozen' },
    })
    const first = await getCfg()
    const second = await getCfg()
    expect(second).toBe(first)
    expect(Object.isFrozen(first.nested)).toBe(true)
    expect(() => {
      ;(first.nested as { a: number }).a = 2
    }).toThrow(TypeError)
  })
})
