import { describe, expect, it } from 'vitest'
import { validateMsgpack } from '../../src/index.js'

// The vectors of decode-bounds.json run through plans/decode-bounds.ts; this is the API around them.
describe('validateMsgpack beyond the vectors', () => {
  it('reports the length of the first document when trailing bytes are allowed', () => {
    expect(validateMsgpack(Buffer.from([0x92, 0x01, 0x02, 0xff, 0xff]), { allowTrailing: true })).toBe(3)
    expect(() => validateMsgpack(Buffer.from([0x92, 0x01, 0x02, 0xff]))).toThrow(/trailing/)
  })
})
