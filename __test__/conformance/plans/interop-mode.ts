import { isDeepStrictEqual } from 'node:util'
import { expect } from 'vitest'
import { InteropSealedEnvelope } from '../../../src/envelope/interop.js'
import {
  CachekitError,
  ConfigurationError,
  cache,
  MemoryBackend,
  SerializationError,
  TenantKeys,
} from '../../../src/index.js'
import { canonicalInteropArgs, canonicalInteropValue } from '../../../src/serializers/canonical-msgpack.js'
import { decodeInteropValue, InteropExtension } from '../../../src/serializers/interop-decode.js'
import type { FilePlan, RowCheck } from '../../support/conformance.js'
import { fromTagged, NotADate } from '../../support/tagged-json.js'
import { hex, type Json } from '../../support/vectors.js'

/** The JavaScript arguments of a row, or NotADate when one of them is a datetime a Date cannot hold. */
function jsValue(tagged: Json): unknown {
  try {
    return fromTagged(tagged)
  } catch (err) {
    if (err instanceof NotADate) return err
    throw err
  }
}

const representable = (row: Json) => !(jsValue(row.args ?? row.value) instanceof NotADate)

/**
 * A `$datetime` as the float Python hashes: integer microseconds since the epoch over 10^6. Used for
 * rows whose datetimes have microseconds, which no Date holds: the encoding of that float is still
 * checked against the row.
 */
function pythonArgs(tagged: Json): unknown {
  if (Array.isArray(tagged)) return tagged.map(pythonArgs)
  if (tagged !== null && typeof tagged === 'object') {
    if (typeof tagged.$datetime === 'string') {
      const text: string = tagged.$datetime
      const [, fraction = ''] = /\.(\d+)/.exec(text) ?? []
      const micros = Number(fraction.padEnd(6, '0'))
      const seconds = Date.parse(text.replace(/\.\d+/, '')) / 1000
      return (seconds * 1_000_000 + micros) / 1_000_000
    }
    if (Object.keys(tagged).length === 1 && Object.keys(tagged)[0]?.startsWith('$')) return fromTagged(tagged)
    return Object.fromEntries(Object.entries(tagged).map(([k, v]) => [k, pythonArgs(v)]))
  }
  return tagged
}

/** A cached function of the row's arity in interop mode, on a store of its own. */
function interopFunction(row: Json, arity: number) {
  return cache(
    async (..._args: unknown[]) => {
      throw new Error('not called: only its keys are computed')
    },
    { namespace: row.namespace, interop: { operation: row.operation, arity }, backend: new MemoryBackend() },
  )
}

const keyChecks: RowCheck[] = [
  {
    title: 'encodes and keys %s as pinned, from the JavaScript values',
    appliesTo: representable,
    run: (v: Json) => {
      const args = fromTagged(v.args) as unknown[]
      expect(canonicalInteropArgs(args).toString('hex')).toBe(v.canonical_args_hex)
      expect(interopFunction(v, args.length).key(...args)).toBe(v.expected_key)
    },
  },
  {
    title: 'encodes and keys %s from the epoch-seconds float Python hashes (a Date has no microseconds)',
    appliesTo: (row) => !representable(row),
    run: (v: Json) => {
      const args = pythonArgs(v.args) as unknown[]
      expect(canonicalInteropArgs(args).toString('hex')).toBe(v.canonical_args_hex)
      expect(interopFunction(v, args.length).key(...args)).toBe(v.expected_key)
    },
  },
]

/** Rows whose value JavaScript can write: not the float 2.0 (a JS 2) and not a microsecond datetime. */
const WRITE_OUT_OF_SCOPE = new Set(['float_value_stays_float64', 'datetime_sentinel_value'])

const valueChecks: RowCheck[] = [
  {
    title: 'reads %s as the JavaScript value',
    run: (v: Json) => {
      const decoded = decodeInteropValue(hex(v.canonical_msgpack_hex))
      if (v.name === 'datetime_sentinel_value') {
        // The sentinel is revived as the Date of that instant, rounded down to the millisecond.
        expect(decoded).toEqual(new Date(Date.UTC(2024, 0, 1, 12, 30, 45, 123)))
        return
      }
      expect(isDeepStrictEqual(decoded, fromTagged(v.value))).toBe(true)
    },
  },
  {
    title: 'writes %s as the pinned bytes',
    appliesTo: (row) => !WRITE_OUT_OF_SCOPE.has(row.name),
    run: (v: Json) => {
      expect(canonicalInteropValue(fromTagged(v.value)).toString('hex')).toBe(v.canonical_msgpack_hex)
    },
  },
]

const NAIVE = 'a JavaScript Date is always an instant: there is no naive datetime to pass, so none to refuse'

const errorChecks: RowCheck[] = [
  {
    title: 'refuses the segments of %s',
    appliesTo: (row) => row.namespace !== undefined,
    run: (v: Json) => {
      expect(() => interopFunction(v, v.args.length)).toThrow(ConfigurationError)
    },
  },
  {
    title: 'refuses the arguments of %s',
    appliesTo: (row) => row.namespace === undefined && representable(row),
    run: (v: Json) => {
      const args = fromTagged(v.args) as unknown[]
      expect(() => canonicalInteropArgs(args)).toThrow(SerializationError)
      const get = interopFunction({ namespace: 'users', operation: 'get_user' }, args.length)
      expect(() => get.key(...args)).toThrow(CachekitError)
    },
  },
]

function decryptsUnderExactlyItsContext(v: Json, masterKeyHex: string): void {
  const keys = TenantKeys.derive(masterKeyHex, v.tenant_id)
  const context = { cacheKey: v.cache_key, format: v.format, compressed: v.compressed }
  const sealed = keys.encrypt(hex('82a36167651ea46e616d65a5616c696365'), context)
  expect(keys.decrypt(sealed, context).toString('hex')).toBe('82a36167651ea46e616d65a5616c696365')
  for (const changed of [
    { ...context, compressed: !v.compressed },
    { ...context, format: 'json' },
    { ...context, cacheKey: `${v.cache_key}0` },
  ]) {
    expect(() => keys.decrypt(sealed, changed)).toThrow(CachekitError)
  }
  expect(() => TenantKeys.derive(masterKeyHex, `${v.tenant_id}x`).decrypt(sealed, context)).toThrow(
    CachekitError,
  )
}

function interopPlan(
  file: string,
  extra: Record<string, RowCheck[]>,
  naiveRows: readonly string[],
): FilePlan {
  return {
    file,
    checks: {
      key_vectors: keyChecks,
      value_vectors: valueChecks,
      error_vectors: errorChecks,
      aad_vectors: [
        {
          title:
            '%s: the AAD (not exposed by the binding) binds tenant, key, format and the "False" flag: a ciphertext opens under exactly that context',
          run: (v: Json, doc: Json) =>
            decryptsUnderExactlyItsContext(v, doc.encryption_vectors[0].master_key_hex),
        },
      ],
      encryption_vectors: [
        {
          title: 'opens %s with the derived key, through TenantKeys and the interop envelope',
          run: (v: Json) => {
            const keys = TenantKeys.derive(v.master_key_hex, v.tenant_id)
            expect(keys.fingerprint).toBe(v.derived_key_fingerprint_hex)
            const context = { cacheKey: v.cache_key, format: v.format, compressed: v.compressed }
            expect(keys.decrypt(hex(v.ciphertext_hex), context).toString('hex')).toBe(v.plaintext_hex)
            const envelope = new InteropSealedEnvelope({ masterKey: v.master_key_hex, tenant: v.tenant_id })
            const { data } = envelope.unwrap(hex(v.ciphertext_hex), v.format, v.cache_key)
            expect(data.toString('hex')).toBe(v.plaintext_hex)
            expect(decodeInteropValue(data)).toEqual({ age: 30, name: 'alice' })
          },
        },
      ],
      ...extra,
    },
    outOfScope: { error_vectors: Object.fromEntries(naiveRows.map((name) => [name, NAIVE])) },
  }
}

export const interopModePlan = interopPlan('interop-mode.json', {}, ['reject_naive_datetime'])

export const interopDraftPlan = interopPlan(
  'drafts/interop-mode-1.3.0-prefinal.json',
  {
    reader_accept_vectors: [
      {
        title: 'reads %s without error, as the value it holds',
        run: (v: Json) => {
          const decoded = decodeInteropValue(hex(v.msgpack_hex))
          if (v.value !== undefined) expect(isDeepStrictEqual(decoded, fromTagged(v.value))).toBe(true)
          else if (v.name === 'reader_non_string_map_key') expect(decoded).toEqual({ '1': 42 })
          else expect(decoded).toEqual(new InteropExtension(1, Buffer.from([0x2a])))
        },
      },
    ],
    reader_reject_vectors: [
      {
        title: 'refuses %s',
        run: (v: Json) => {
          expect(() => decodeInteropValue(hex(v.msgpack_hex))).toThrow(SerializationError)
        },
      },
    ],
  },
  ['reject_naive_datetime', 'reject_naive_datetime_nested'],
)

const NOT_A_FRAME =
  "not a CK frame but one well-formed MessagePack document (another SDK's container), refused by Python's frame reader; " +
  'an interop reader reads such bytes as a value, and this package never reads Python frames at all'

const refusedFrame: RowCheck = {
  title: 'the interop reader refuses %s (a Python CK frame is never an interop value)',
  run: (v: Json) => {
    expect(() => decodeInteropValue(hex(v.frame_hex))).toThrow(
      expect.objectContaining({ code: 'DESERIALIZE_FAILED' }),
    )
  },
}

export const pythonFramePlan: FilePlan = {
  file: 'python-frame.json',
  checks: {
    frame_vectors: [refusedFrame],
    error_vectors: [refusedFrame],
    encrypted_read_vectors: [refusedFrame],
  },
  outOfScope: {
    error_vectors: {
      bare_envelope_fed_to_frame_reader: NOT_A_FRAME,
      plain_msgpack_fed_to_frame_reader: NOT_A_FRAME,
    },
  },
}
