import { tableFromArrays, tableFromIPC } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, SerializationError } from '../../src/errors.js'
import { ArrowSerializer, RawSerializer } from '../../src/index.js'

// A value a serializer cannot take is an UNSUPPORTED_VALUE SerializationError whose message names
// what was given (null, the primitive's type, or the object's class) and what to return instead.

/** The error `serialize` throws for this value. */
function refusal(serialize: () => unknown): SerializationError {
  try {
    serialize()
  } catch (err) {
    expect(err).toBeInstanceOf(SerializationError)
    return err as SerializationError
  }
  throw new Error('the value was accepted')
}

describe('RawSerializer takes bytes only', () => {
  const s = new RawSerializer()
  it.each([
    ['null', null],
    ['string', 'text'],
    ['number', 5],
    ['Map', new Map()],
    ['Array', [1, 2]],
    ['ArrayBuffer', new ArrayBuffer(2)],
  ])('refuses %s, naming it', (what, value) => {
    const err = refusal(() => s.serialize(value))
    expect(err.code).toBe('UNSUPPORTED_VALUE')
    expect(err.message).toBe(
      `RawSerializer cannot serialize ${what}: return a Buffer or Uint8Array, or use StandardSerializer`,
    )
  })
})

describe('ArrowSerializer takes apache-arrow Tables only', () => {
  it('before load() it refuses with SERIALIZER_NOT_LOADED, both ways', () => {
    const s = new ArrowSerializer()
    for (const call of [() => s.serialize(null), () => s.deserialize(new Uint8Array(8))]) {
      expect(call).toThrow(ConfigurationError)
      expect(call).toThrow(expect.objectContaining({ code: 'SERIALIZER_NOT_LOADED' }))
    }
  })

  it.each([
    ['null', null],
    ['number', 5],
    ['string', 'rows'],
    ['Object', { id: [1] }],
    ['Array', [{ id: 1 }]],
  ])('refuses %s, naming it', async (what, value) => {
    const s = new ArrowSerializer()
    await s.load()
    const err = refusal(() => s.serialize(value))
    expect(err.code).toBe('UNSUPPORTED_VALUE')
    expect(err.message).toBe(
      `ArrowSerializer cannot serialize ${what}: return an apache-arrow Table (tableFromArrays(...)) or use StandardSerializer`,
    )
  })

  it('writes the Arrow IPC stream format (not the file format), which pyarrow reads with open_stream', async () => {
    const s = new ArrowSerializer()
    await s.load()
    const bytes = s.serialize(tableFromArrays({ id: Int32Array.from([1, 2]) }))
    // A stream starts with an encapsulated message (0xFFFFFFFF continuation); a file with "ARROW1".
    expect(Buffer.from(bytes.subarray(0, 4)).toString('hex')).toBe('ffffffff')
    expect(Buffer.from(bytes.subarray(0, 6)).toString('latin1')).not.toBe('ARROW1')
    expect(tableFromIPC(bytes).numRows).toBe(2)
  })

  it('bytes that are not Arrow IPC are DESERIALIZE_FAILED (a corrupt entry), with the reason', async () => {
    const s = new ArrowSerializer()
    await s.load()
    const call = () => s.deserialize(Buffer.from('not an arrow stream at all'))
    expect(call).toThrow(SerializationError)
    expect(call).toThrow(expect.objectContaining({ code: 'DESERIALIZE_FAILED' }))
    expect(call).toThrow(/^Stored arrow bytes could not be decoded \(.+\): the entry is corrupt/)
  })
})
