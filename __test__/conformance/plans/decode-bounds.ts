import { expect } from 'vitest'
import { MalformedMsgpackError, validateMsgpack } from '../../../src/index.js'
import type { FilePlan } from '../../support/conformance.js'
import { constructRepeat, type Json } from '../../support/vectors.js'

/** The constructed input, which must be the bytes the row pins as hex. */
function input(v: Json): Buffer {
  const bytes = constructRepeat(v.construction)
  expect(bytes.toString('hex')).toBe(v.input_hex)
  return bytes
}

export const decodeBoundsPlan: FilePlan = {
  file: 'decode-bounds.json',
  checks: {
    reject_vectors: [
      {
        title: 'refuses %s, with or without trailing bytes allowed',
        run: (v: Json) => {
          const bytes = input(v)
          expect(() => validateMsgpack(bytes)).toThrow(MalformedMsgpackError)
          expect(() => validateMsgpack(bytes, { allowTrailing: true })).toThrow(MalformedMsgpackError)
        },
      },
    ],
    accept_vectors: [
      {
        title: 'accepts %s as one document of its whole length',
        run: (v: Json) => {
          const bytes = input(v)
          expect(validateMsgpack(bytes)).toBe(bytes.length)
        },
      },
    ],
  },
}
