import { describe, expect, it } from 'vitest'
import {
  ByteStorage,
  ChecksumMismatchError,
  DecompressionBombError,
  InputTooLargeError,
  MalformedEnvelopeError,
  MalformedMsgpackError,
  SizeMismatchError,
} from '../../src/index.js'
import { construct, hex, type Json, loadVectors, named } from '../support/vectors.js'

const doc = loadVectors('wire-format.json')
const storage = new ByteStorage()

const STEP_ERRORS: Record<number, [new (...args: never[]) => Error, string]> = {
  2: [MalformedEnvelopeError, 'MALFORMED_ENVELOPE'],
  4: [InputTooLargeError, 'INPUT_TOO_LARGE'],
  5: [DecompressionBombError, 'DECOMPRESSION_BOMB'],
  6: [SizeMismatchError, 'SIZE_MISMATCH'],
  8: [ChecksumMismatchError, 'CHECKSUM_MISMATCH'],
}

describe('wire-format.json through the Node binding', () => {
  it.each(named(doc.vectors))('decodes %s', (_name, v: Json) => {
    const { data, format } = storage.retrieve(hex(v.envelope_hex))
    expect(data.toString('hex')).toBe(v.input_hex)
    expect(format).toBe(v.format)
  })

  it('writes the canonical bin envelopes byte for byte', () => {
    const bin = doc.vectors.filter((v: Json) => v.envelope_encoding === 'bin')
    expect(bin).toHaveLength(9)
    for (const v of bin) {
      expect(storage.store(hex(v.input_hex), v.format).toString('hex'), v.name).toBe(v.envelope_hex)
    }
  })

  it.each(named(doc.reject_vectors))('rejects %s with its step error', (_n, v: Json) => {
    const entry = STEP_ERRORS[v.reject_step as number]
    if (entry === undefined) throw new Error(`no expectation for step ${v.reject_step}`)
    const [Class, code] = entry
    let caught: unknown
    try {
      storage.retrieve(hex(v.envelope_hex))
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(Class)
    expect((caught as { code: string }).code).toBe(code)
  })

  it.each(named(doc.constructed_vectors))('decodes constructed %s', (_n, v: Json) => {
    const envelope = construct(v.envelope_construction)
    expect(envelope.length).toBe(v.envelope_size)
    const { data } = storage.retrieve(envelope)
    expect(data.equals(construct(v.input_construction))).toBe(true)
  })

  it.each(named(doc.payload_reject_vectors))(
    'payload %s passes the envelope but fails the msgpack pre-scan',
    (_n, v: Json) => {
      expect(storage.retrieve(hex(v.envelope_hex)).data.toString('hex')).toBe(v.input_hex)
      expect(() => storage.retrieve(hex(v.envelope_hex), { validateMsgpack: true })).toThrow(
        MalformedMsgpackError,
      )
    },
  )
})
