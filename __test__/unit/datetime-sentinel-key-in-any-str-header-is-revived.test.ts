import { describe, expect, it } from 'vitest'
import { StandardSerializer } from '../../src/serializers/index.js'

// MessagePack lets a writer spell a 12-byte string with any str header (fixstr, str 8, 16 or 32);
// Python's datetime sentinel must be revived whichever one its "__datetime__" key uses.
function sentinel(keyHeader: Buffer): Buffer {
  const value = Buffer.from('2024-01-01T00:00:00+00:00')
  return Buffer.concat([
    Buffer.from([0x82]),
    keyHeader,
    Buffer.from('__datetime__'),
    Buffer.from([0xc3, 0xa5]),
    Buffer.from('value'),
    Buffer.from([0xa0 | value.length]),
    value,
  ])
}

describe('a datetime sentinel key', () => {
  it.each([
    ['fixstr', Buffer.from([0xac])],
    ['str 8', Buffer.from([0xd9, 12])],
    ['str 16', Buffer.from([0xda, 0, 12])],
    ['str 32', Buffer.from([0xdb, 0, 0, 0, 12])],
  ])('written with a %s header is revived as the Date', (_name, header) => {
    expect(new StandardSerializer().deserialize(sentinel(header))).toEqual(new Date(Date.UTC(2024, 0, 1)))
  })
})
