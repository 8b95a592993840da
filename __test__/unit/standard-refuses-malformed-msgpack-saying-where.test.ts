import { describe, expect, it } from 'vitest'
import { SerializationError } from '../../src/errors.js'
import { StandardSerializer } from '../../src/index.js'

// Stored bytes are untrusted. The StandardSerializer refuses anything that is not exactly one plain
// MessagePack document with DESERIALIZE_FAILED, and its message says what is wrong and at which
// byte, so whoever reads the log can find the writer that produced it.

const s = new StandardSerializer()

/** The reason given in the DESERIALIZE_FAILED message for these bytes. */
function reason(bytes: number[]): string {
  try {
    s.deserialize(Uint8Array.from(bytes))
  } catch (err) {
    expect(err).toBeInstanceOf(SerializationError)
    expect((err as SerializationError).code).toBe('DESERIALIZE_FAILED')
    return /could not be decoded \((.*)\): the entry is corrupt/.exec((err as Error).message)?.[1] ?? ''
  }
  throw new Error('the bytes were accepted')
}

describe('StandardSerializer refuses malformed bytes, saying what is wrong and where', () => {
  it('a document that ends before its last item', () => {
    expect(reason([0x92, 0x01])).toBe('input ends at byte 2, inside the document')
    expect(reason([0x91])).toBe('input ends at byte 1, inside the document')
  })

  it('a str, bin or ext payload cut short, at the top or inside a collection', () => {
    expect(reason([0xa5, 0x61])).toBe('input ends inside a str, bin or ext payload at byte 2')
    expect(reason([0x92, 0xd9, 0x05, 0x61])).toBe('input ends inside a str, bin or ext payload at byte 4')
    expect(reason([0x92, 0xc4, 0x03, 0x01, 0x02])).toBe(
      'input ends inside a str, bin or ext payload at byte 5',
    )
  })

  it('a length header cut short', () => {
    expect(reason([0xd9])).toBe('input ends inside a header at byte 1')
    expect(reason([0x91, 0xda, 0x01])).toBe('input ends inside a header at byte 2')
    expect(reason([0xdd, 0x00, 0x00])).toBe('input ends inside a header at byte 1')
  })

  it('an ext header without its type byte', () => {
    expect(reason([0xd4])).toBe('input ends inside an ext header at byte 1')
    expect(reason([0xc7, 0x04])).toBe('input ends inside an ext header at byte 2')
  })

  it('the reserved marker 0xc1', () => {
    expect(reason([0xc1])).toBe('reserved marker 0xc1 at byte 0')
    expect(reason([0x92, 0x01, 0xc1])).toBe('reserved marker 0xc1 at byte 2')
  })

  it('an extension other than the timestamp, with its signed type and the byte of the type', () => {
    const only = 'is not plain MessagePack (only the timestamp, -1, is)'
    expect(reason([0xd4, 0x05, 0x00])).toBe(`extension type 5 at byte 1 ${only}`)
    expect(reason([0xd4, 0x7f, 0x00])).toBe(`extension type 127 at byte 1 ${only}`)
    expect(reason([0xd4, 0x80, 0x00])).toBe(`extension type -128 at byte 1 ${only}`)
    expect(reason([0xd4, 0xfe, 0x00])).toBe(`extension type -2 at byte 1 ${only}`)
    expect(reason([0xc7, 0x01, 0x05, 0x00])).toBe(`extension type 5 at byte 2 ${only}`)
    expect(reason([0xc8, 0x00, 0x01, 0x05, 0x00])).toBe(`extension type 5 at byte 3 ${only}`)
    expect(reason([0xc9, 0x00, 0x00, 0x00, 0x01, 0x05, 0x00])).toBe(`extension type 5 at byte 5 ${only}`)
  })

  it('collections nested deeper than 1024 levels, whatever header opens the deepest one', () => {
    const past = (leaf: number[]) => [...new Array(1024).fill(0x91), ...leaf]
    const tooDeep = 'nesting deeper than 1024 levels'
    expect(reason(past([0x91, 0x01]))).toBe(tooDeep)
    expect(reason(past([0x81, 0xa1, 0x61, 0x01]))).toBe(tooDeep)
    expect(reason(past([0x80]))).toBe(tooDeep)
    expect(reason(past([0xdc, 0x00, 0x01, 0x01]))).toBe(tooDeep)
    expect(reason(past([0xde, 0x00, 0x01, 0xa1, 0x61, 0x01]))).toBe(tooDeep)
  })
})
