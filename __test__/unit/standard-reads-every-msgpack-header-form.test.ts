import { describe, expect, it } from 'vitest'
import { StandardSerializer } from '../../src/index.js'

// The StandardSerializer checks stored bytes with its own header walk before msgpackr decodes them.
// Every header form of plain MessagePack must pass that walk and decode to its value, including
// the ones msgpackr never writes but another language's writer may (float 32, 32-bit lengths,
// timestamps in ext 8/16/32).

const s = new StandardSerializer()
// Stored bytes reach the serializer as Buffers (every backend returns them), so bin values decode as Buffers.
const read = (bytes: number[]) => s.deserialize(Buffer.from(bytes))
const roundTrip = (value: unknown) => s.deserialize(s.serialize(value))
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]

describe('StandardSerializer reads every plain MessagePack header form', () => {
  it('negative fixints down to -32', () => {
    expect(read([0xe0])).toBe(-32)
    expect(read([0xff])).toBe(-1)
    expect(roundTrip([-32, -1, 0, 127])).toStrictEqual([-32, -1, 0, 127])
  })

  it('float 32, which other writers use for single-precision numbers', () => {
    expect(read([0xca, 0x3f, 0xc0, 0x00, 0x00])).toBe(1.5)
    expect(read([0x92, 0xca, 0xc0, 0x20, 0x00, 0x00, 0x01])).toStrictEqual([-2.5, 1])
  })

  it('str 16 and str 32, followed by more items', () => {
    const long = 'x'.repeat(300)
    expect(s.serialize(long)[0]).toBe(0xda)
    expect(roundTrip([long, 'after'])).toStrictEqual([long, 'after'])
    expect(read([0x92, 0xdb, ...u32(3), 0x61, 0x62, 0x63, 0x07])).toStrictEqual(['abc', 7])
  })

  it('bin 16 and bin 32, followed by more items', () => {
    const bytes = Buffer.alloc(300, 7)
    expect(s.serialize(bytes)[0]).toBe(0xc5)
    expect(roundTrip([bytes, 1])).toStrictEqual([bytes, 1])
    expect(read([0x92, 0xc6, ...u32(2), 0x01, 0x02, 0x03])).toStrictEqual([Buffer.from([1, 2]), 3])
  })

  it('array 16 and array 32', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => i)
    expect(s.serialize(twenty)[0]).toBe(0xdc)
    expect(roundTrip([twenty, 'after'])).toStrictEqual([twenty, 'after'])
    expect(read([0xdd, ...u32(2), 0x01, 0x02])).toStrictEqual([1, 2])
    expect(read([0x92, 0xdd, ...u32(1), 0x05, 0x06])).toStrictEqual([[5], 6])
  })

  it('map 16 and map 32', () => {
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]))
    expect(s.serialize(wide)[0]).toBe(0xde)
    expect(roundTrip([wide, 'after'])).toStrictEqual([wide, 'after'])
    expect(read([0xdf, ...u32(2), 0xa1, 0x61, 0x01, 0xa1, 0x62, 0x02])).toStrictEqual({ a: 1, b: 2 })
    expect(read([0x92, 0xdf, ...u32(1), 0xa1, 0x61, 0x01, 0x03])).toStrictEqual([{ a: 1 }, 3])
  })

  it('the 96-bit timestamp in ext 8, ext 16 and ext 32', () => {
    // seconds = 1 (int64) and 0 nanoseconds: the 12-byte form, legal in any ext width.
    const timestamp = [0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    const second = new Date(1000)
    expect(read([0xc7, 12, ...timestamp])).toStrictEqual(second)
    expect(read([0xc8, 0, 12, ...timestamp])).toStrictEqual(second)
    expect(read([0xc9, ...u32(12), ...timestamp])).toStrictEqual(second)
    expect(read([0x92, 0xc8, 0, 12, ...timestamp, 0x01])).toStrictEqual([second, 1])
  })

  it('collections nested exactly 1024 deep, around any kind of leaf', () => {
    const deep = (leaf: number[]) => [...new Array(1024).fill(0x91), ...leaf]
    const unwrap = (value: unknown): unknown => {
      let v = value
      for (let i = 0; i < 1024; i++) v = (v as unknown[])[0]
      return v
    }
    expect(unwrap(read(deep([0x01])))).toBe(1)
    expect(unwrap(read(deep([0xa0])))).toBe('')
    expect(unwrap(read(deep([0xcc, 200])))).toBe(200)
    expect(unwrap(read(deep([0xd9, 1, 0x61])))).toBe('a')
  })
})
