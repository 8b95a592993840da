import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { SerializationError } from '../../src/errors.js'
import { StandardSerializer } from '../../src/index.js'

// Python's auto mode writes a datetime as the map { __datetime__: true, value: dt.isoformat() }.
const s = new StandardSerializer()
const python = new Packr({ useRecords: false, variableMapSize: true })
const sentinel = (value: string) => ({ __datetime__: true, value })
const read = (value: unknown) => s.deserialize(python.pack(value))

describe('StandardSerializer revives Python datetime sentinels as Dates', () => {
  it('reads wire-format.json temporal_sentinel_datetime as the Date of that instant', () => {
    const payload = Buffer.from(
      '82ac5f5f6461746574696d655f5fc3a576616c7565b9323032352d31312d31345431303a33303a30302b30303a3030',
      'hex',
    )
    const value = s.deserialize(payload)
    expect(value).toBeInstanceOf(Date)
    expect((value as Date).toISOString()).toBe(new Date('2025-11-14T10:30:00+00:00').toISOString())
  })

  it.each([
    ['2025-11-14T10:30:00+00:00', '2025-11-14T10:30:00.000Z'],
    ['2025-11-14T16:00:00+05:30', '2025-11-14T10:30:00.000Z'],
    ['2025-11-14T05:30:00-05:00', '2025-11-14T10:30:00.000Z'],
    ['2025-11-14T10:30:00Z', '2025-11-14T10:30:00.000Z'],
    ['2025-11-14T10+00:00', '2025-11-14T10:00:00.000Z'],
    ['2025-11-14T10:30+00:00', '2025-11-14T10:30:00.000Z'],
    ['2025-11-14T10:30:00.250+00:00', '2025-11-14T10:30:00.250Z'],
    // Python writes microseconds; a Date holds milliseconds, so the instant is rounded down.
    ['2024-01-01T12:30:45.123456+00:00', '2024-01-01T12:30:45.123Z'],
    ['1969-12-31T23:59:59.999999+00:00', '1969-12-31T23:59:59.999Z'],
    // Offsets with seconds and microseconds (Python allows them) are exact too.
    ['2025-11-14T10:30:00+00:00:30', '2025-11-14T10:29:30.000Z'],
    ['2025-11-14T10:30:00.000500+00:00:00.000600', '2025-11-14T10:29:59.999Z'],
    ['0001-01-01T00:00:00+00:00', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999999+00:00', '9999-12-31T23:59:59.999Z'],
    ['2024-02-29T00:00:00+00:00', '2024-02-29T00:00:00.000Z'],
  ])('%s is the instant %s', (iso, instant) => {
    const value = read(sentinel(iso))
    expect(value).toBeInstanceOf(Date)
    expect((value as Date).toISOString()).toBe(instant)
  })

  it('revives sentinels anywhere in the value', () => {
    const value = read({
      rows: [{ at: sentinel('2025-11-14T10:30:00+00:00'), n: 1 }],
      last: sentinel('2025-11-14T11:00:00+01:00'),
    })
    expect(value).toStrictEqual({
      rows: [{ at: new Date('2025-11-14T10:30:00Z'), n: 1 }],
      last: new Date('2025-11-14T10:00:00Z'),
    })
  })

  it.each([
    [
      'a naive datetime (no offset: the instant depends on the writer’s zone)',
      sentinel('2025-11-14T10:30:00'),
    ],
    ['an impossible date', sentinel('2025-02-29T10:30:00+00:00')],
    ['hour 24', sentinel('2025-11-14T24:00:00+00:00')],
    ['an offset of 24 hours', sentinel('2025-11-14T10:30:00+24:00')],
    ['year 0', sentinel('0000-01-01T00:00:00+00:00')],
    ['a space instead of T', sentinel('2025-11-14 10:30:00+00:00')],
    ['a marker other than true', { __datetime__: 1, value: '2025-11-14T10:30:00+00:00' }],
    ['a third key', { ...sentinel('2025-11-14T10:30:00+00:00'), tz: 'UTC' }],
    ['a value that is not a string', { __datetime__: true, value: 1731580200 }],
  ])('leaves %s as the map it is', (_what, map) => {
    expect(read(map)).toStrictEqual(map)
  })

  it('leaves date and time sentinels as maps (JavaScript has no date-only or time-only type)', () => {
    const date = { __date__: true, value: '2025-11-14' }
    const time = { __time__: true, value: '10:30:00' }
    expect(
      s.deserialize(Buffer.from('82a85f5f646174655f5fc3a576616c7565aa323032352d31312d3134', 'hex')),
    ).toStrictEqual(date)
    expect(
      s.deserialize(Buffer.from('82a85f5f74696d655f5fc3a576616c7565a831303a33303a3030', 'hex')),
    ).toStrictEqual(time)
  })

  it('a hit clones the revived Date: miss and hit agree', () => {
    const decoded = read([sentinel('2025-11-14T10:30:00+00:00')])
    const template = s.cloneDecoded(decoded)
    expect(s.cloneDecoded(template)).toStrictEqual(decoded)
    expect((s.cloneDecoded(template) as Date[])[0]).toBeInstanceOf(Date)
  })
})

describe('StandardSerializer refuses to write what it would read back as a Date', () => {
  it('refuses an object of exactly the sentinel shape, in either key order, saying what to do', () => {
    for (const value of [
      sentinel('2025-11-14T10:30:00+00:00'),
      { list: [{ value: '2025-11-14T10:30:00Z', __datetime__: true }] },
    ]) {
      expect(() => s.serialize(value)).toThrow(SerializationError)
      expect(() => s.serialize(value)).toThrow(/would be read back as a Date: store a Date/)
    }
    expect(() => s.serialize({ list: [{ value: '2025-11-14T10:30:00Z', __datetime__: true }] })).toThrow(
      /at value\.list\[0\]/,
    )
  })

  it('writes maps of a similar shape that are not revived, and they read back unchanged', () => {
    for (const value of [
      sentinel('2025-11-14T10:30:00'),
      { __datetime__: 'yes', value: '2025-11-14T10:30:00+00:00' },
      { ...sentinel('2025-11-14T10:30:00+00:00'), extra: 1 },
    ]) {
      expect(s.deserialize(s.serialize(value))).toStrictEqual(value)
    }
  })

  it('writes a Date as the msgpack timestamp, which reads back as the same Date', () => {
    const when = new Date('2025-11-14T10:30:00.123Z')
    expect(s.deserialize(s.serialize({ when }))).toStrictEqual({ when })
  })
})
