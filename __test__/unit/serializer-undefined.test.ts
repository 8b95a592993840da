import { Unpackr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { SerializationError } from '../../src/errors.js'
import { AutoSerializer, JsonSerializer, StandardSerializer } from '../../src/index.js'

// What every optional field of a TypeScript type looks like at run time.
interface Row {
  id: number
  note?: string
  tags: Array<string | undefined>
  nested: { when?: number; list: unknown[] }
}
const row: Row = {
  id: 1,
  note: undefined,
  tags: ['a', undefined],
  nested: { when: undefined, list: [undefined] },
}
const asJsonSees = { id: 1, tags: ['a', null], nested: { list: [null] } }

describe.each([
  ['StandardSerializer', new StandardSerializer()],
  ['JsonSerializer', new JsonSerializer()],
] as const)('%s and undefined', (_name, s) => {
  it('omits undefined object properties and reads undefined array elements back as null, as JSON.stringify does', () => {
    const back = s.deserialize(s.serialize(row))
    expect(back).toStrictEqual(asJsonSees)
    expect(Object.hasOwn(back as object, 'note')).toBe(false)
  })

  it('writes exactly the bytes of the value without its undefined properties', () => {
    expect(Buffer.from(s.serialize({ a: 1, b: undefined, c: 'x' }))).toEqual(
      Buffer.from(s.serialize({ a: 1, c: 'x' })),
    )
  })

  it('reads array holes back as null', () => {
    // biome-ignore lint/suspicious/noSparseArray: a hole is what this case is about
    expect(s.deserialize(s.serialize([1, , 3]))).toStrictEqual([1, null, 3])
  })

  it('an object whose only property is undefined becomes an empty object', () => {
    expect(s.deserialize(s.serialize({ gone: undefined }))).toStrictEqual({})
  })

  it('keeps refusing a top-level undefined, with the fix (the cache does not store one)', () => {
    expect(() => s.serialize(undefined)).toThrow(SerializationError)
    expect(() => s.serialize(undefined)).toThrow(/undefined at value: .*null/)
  })

  it('still refuses what it cannot store beside an undefined property', () => {
    expect(() => s.serialize({ a: undefined, f: () => 1 })).toThrow(/a function at value\.f/)
  })
})

describe('StandardSerializer writes undefined as plain MessagePack', () => {
  it('uses nil, never msgpackr’s fixext 0 "undefined" extension, so other languages read it', () => {
    const bytes = new StandardSerializer().serialize([undefined, { a: undefined }])
    expect(Buffer.from(bytes).toString('hex')).toBe('92c080')
    expect(new Unpackr({ useRecords: false, mapsAsObjects: true }).unpack(bytes)).toStrictEqual([null, {}])
  })
})

describe('AutoSerializer (msgpack-js) keeps undefined exactly', () => {
  const s = new AutoSerializer()
  it('keeps undefined properties, undefined array elements and a top-level undefined', () => {
    const back = s.deserialize(s.serialize(row)) as Row
    expect(back).toStrictEqual(row)
    expect(Object.hasOwn(back, 'note')).toBe(true)
    expect(back.tags[1]).toBeUndefined()
    expect(s.deserialize(s.serialize(undefined))).toBeUndefined()
  })
})
