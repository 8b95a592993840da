import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { StandardSerializer } from '../../src/index.js'

// Which maps the StandardSerializer reads as Python datetimes, at the edges of what isoformat()
// can write: field ranges, offsets, the type of `value`, and which keys count.

const s = new StandardSerializer()
const python = new Packr({ useRecords: false, variableMapSize: true })
const sentinel = (value: unknown) => ({ __datetime__: true, value })
const read = (value: unknown) => s.deserialize(python.pack(value))

describe('a Python datetime sentinel is read as a Date only when its string is a real aware datetime', () => {
  it.each([
    ['a minute of 60', '2025-11-14T10:60:00+00:00'],
    ['a second of 60', '2025-11-14T10:30:60+00:00'],
    ['an offset with 60 minutes', '2025-11-14T10:30:00+05:60'],
    ['an offset with 60 seconds', '2025-11-14T10:30:00+05:30:60'],
  ])('%s is not a time: the map stays a map', (_what, iso) => {
    expect(read(sentinel(iso))).toStrictEqual(sentinel(iso))
  })

  it.each([
    ['the largest offset Python allows, +23:59', '2025-11-14T23:59:00+23:59', '2025-11-14T00:00:00.000Z'],
    ['an offset of -23:00', '2025-11-14T00:00:00-23:00', '2025-11-14T23:00:00.000Z'],
    ['an offset with 59 seconds', '2025-11-14T10:30:00+05:30:59', '2025-11-14T04:59:01.000Z'],
    ['the last second of a minute', '2025-11-14T10:59:59+00:00', '2025-11-14T10:59:59.000Z'],
  ])('%s is read as that instant', (_what, iso, instant) => {
    const value = read(sentinel(iso))
    expect(value).toBeInstanceOf(Date)
    expect((value as Date).toISOString()).toBe(instant)
  })

  it('a value that is not a string stays a map, even one that prints as an ISO datetime', () => {
    const map = sentinel(['2025-11-14T10:30:00+00:00'])
    expect(read(map)).toStrictEqual(map)
    expect(s.deserialize(s.serialize(map))).toStrictEqual(map)
  })
})

describe('only the keys MessagePack writes (own, enumerable) decide whether an object has the sentinel shape', () => {
  const hidden = (visible: Record<string, unknown>, name: string, value: unknown) =>
    Object.defineProperty({ ...visible }, name, { value, enumerable: false })

  it.each([
    [
      'value first, a hidden __datetime__',
      hidden({ value: '2025-11-14T10:30:00Z', x: 1 }, '__datetime__', true),
    ],
    [
      'value second, a hidden __datetime__',
      hidden({ x: 1, value: '2025-11-14T10:30:00Z' }, '__datetime__', true),
    ],
    [
      '__datetime__ first, a hidden value',
      hidden({ __datetime__: true, x: 1 }, 'value', '2025-11-14T10:30:00Z'),
    ],
    [
      '__datetime__ second, a hidden value',
      hidden({ x: 1, __datetime__: true }, 'value', '2025-11-14T10:30:00Z'),
    ],
  ])('%s: written as its enumerable keys and read back as that map', (_what, value) => {
    expect(s.deserialize(s.serialize(value))).toStrictEqual({ ...value })
  })
})
