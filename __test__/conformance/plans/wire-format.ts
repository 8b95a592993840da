import { expect } from 'vitest'
import {
  ByteStorage,
  ChecksumMismatchError,
  DecompressionBombError,
  InputTooLargeError,
  MalformedEnvelopeError,
  MalformedMsgpackError,
  SizeMismatchError,
  StandardSerializer,
} from '../../../src/index.js'
import type { FilePlan } from '../../support/conformance.js'
import { construct, hex, type Json } from '../../support/vectors.js'

const storage = new ByteStorage()

/** The error each `reject_step` of the decode order must raise. */
const STEP_ERRORS: Record<number, [new (...args: never[]) => Error, string]> = {
  2: [MalformedEnvelopeError, 'MALFORMED_ENVELOPE'],
  4: [InputTooLargeError, 'INPUT_TOO_LARGE'],
  5: [DecompressionBombError, 'DECOMPRESSION_BOMB'],
  6: [SizeMismatchError, 'SIZE_MISMATCH'],
  8: [ChecksumMismatchError, 'CHECKSUM_MISMATCH'],
}

function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected an error, got a result')
}

const NO_DATE_ONLY_TYPE =
  'JavaScript has no date-only or time-only type in Node 20 (no Temporal): StandardSerializer keeps the sentinel as a map rather than invent a Date at midnight or on an arbitrary day'

export const wireFormatPlan: FilePlan = {
  file: 'wire-format.json',
  checks: {
    vectors: [
      {
        title: 'decodes %s to its input and format',
        run: (v: Json) => {
          const { data, format } = storage.retrieve(hex(v.envelope_hex))
          expect(data.toString('hex')).toBe(v.input_hex)
          expect(format).toBe(v.format)
        },
      },
      {
        title: 'writes %s byte for byte (canonical bin encoding)',
        appliesTo: (v: Json) => v.envelope_encoding === 'bin',
        run: (v: Json) => {
          expect(storage.store(hex(v.input_hex), v.format).toString('hex')).toBe(v.envelope_hex)
        },
      },
    ],
    reject_vectors: [
      {
        title: 'rejects %s with the error of its decode step',
        run: (v: Json) => {
          const entry = STEP_ERRORS[v.reject_step as number]
          if (entry === undefined) throw new Error(`no expectation for step ${v.reject_step}`)
          const [Class, code] = entry
          const err = caught(() => storage.retrieve(hex(v.envelope_hex)))
          expect(err).toBeInstanceOf(Class)
          expect((err as { code: string }).code).toBe(code)
        },
      },
    ],
    constructed_vectors: [
      {
        title: 'decodes constructed %s',
        run: (v: Json) => {
          const envelope = construct(v.envelope_construction)
          expect(envelope.length).toBe(v.envelope_size)
          expect(storage.retrieve(envelope).data.equals(construct(v.input_construction))).toBe(true)
        },
      },
    ],
    payload_reject_vectors: [
      {
        title: 'payload %s passes the envelope but fails the MessagePack pre-scan',
        run: (v: Json) => {
          expect(storage.retrieve(hex(v.envelope_hex)).data.toString('hex')).toBe(v.input_hex)
          expect(() => storage.retrieve(hex(v.envelope_hex), { validateMsgpack: true })).toThrow(
            MalformedMsgpackError,
          )
        },
      },
    ],
    temporal_sentinel_vectors: [
      {
        title: 'StandardSerializer revives %s as a Date at the same instant',
        appliesTo: (v: Json) => v.revives_to.type === 'datetime',
        run: (v: Json) => {
          const value = new StandardSerializer().deserialize(hex(v.payload_hex))
          expect(value).toBeInstanceOf(Date)
          expect((value as Date).getTime()).toBe(Date.parse(v.revives_to.iso))
        },
      },
    ],
  },
  outOfScope: {
    temporal_sentinel_vectors: {
      temporal_sentinel_date: NO_DATE_ONLY_TYPE,
      temporal_sentinel_time: NO_DATE_ONLY_TYPE,
    },
  },
}
