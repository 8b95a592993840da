import { describe, expect, it } from 'vitest'
import { MalformedMsgpackError, validateMsgpack } from '../../src/index.js'
import { constructRepeat, type Json, loadVectors, named } from '../support/vectors.js'

const doc = loadVectors('decode-bounds.json')

describe('decode-bounds.json through the Node binding', () => {
  it('has the pinned number of vectors', () => {
    expect(doc.reject_vectors).toHaveLength(19)
    expect(doc.accept_vectors).toHaveLength(3)
  })

  it.each(named(doc.reject_vectors))('rejects %s', (_n, v: Json) => {
    const input = constructRepeat(v.construction)
    expect(input.toString('hex')).toBe(v.input_hex)
    expect(() => validateMsgpack(input)).toThrow(MalformedMsgpackError)
    expect(() => validateMsgpack(input, { allowTrailing: true })).toThrow(MalformedMsgpackError)
  })

  it.each(named(doc.accept_vectors))('accepts %s', (_n, v: Json) => {
    const input = constructRepeat(v.construction)
    expect(validateMsgpack(input)).toBe(input.length)
  })

  it('reports the length of the first document when trailing bytes are allowed', () => {
    expect(validateMsgpack(Buffer.from([0x92, 0x01, 0x02, 0xff, 0xff]), { allowTrailing: true })).toBe(3)
    expect(() => validateMsgpack(Buffer.from([0x92, 0x01, 0x02, 0xff]))).toThrow(/trailing/)
  })
})
