import { describe, expect, it } from 'vitest'
import {
  ByteStorage,
  CachekitError,
  checksum,
  checksumHex,
  lz4Compress,
  lz4Decompress,
  TenantKeys,
  validateMsgpack,
} from '../../src/index.js'

// Untyped callers (plain JavaScript, `any`, JSON input) can pass anything. Every wrong argument of
// every public native function is a CachekitError with code INVALID_ARGUMENT whose message names
// the argument and says what to pass instead; async methods reject instead of throwing.

// biome-ignore lint/suspicious/noExplicitAny: deliberately wrong types from untyped callers
type Untyped = any
const storage: Untyped = new ByteStorage()
const keys: Untyped = TenantKeys.derive('ab'.repeat(32), 'arguments')
const U: Untyped = {
  ByteStorage,
  TenantKeys,
  checksum,
  checksumHex,
  lz4Compress,
  lz4Decompress,
  validateMsgpack,
}
const bytes = Buffer.from('value')
const envelope = storage.store(bytes)
const ctx = { cacheKey: 'k', format: 'msgpack', compressed: false }
const ciphertext = keys.encrypt(bytes, ctx)
const sealed = keys.seal(bytes, { cacheKey: 'k' })

/** [what is wrong, the call, the argument the message must name] */
type Case = [string, () => unknown, string]

const SYNC: Case[] = [
  ['new ByteStorage with a string for options', () => new U.ByteStorage('json'), 'options'],
  ['new ByteStorage with a numeric format', () => new U.ByteStorage({ format: 5 }), 'format'],
  ['store with a number for data', () => storage.store(8), 'data'],
  ['store with a string for data', () => storage.store('text'), 'data'],
  ['store with a Float64Array for data', () => storage.store(new Float64Array(2)), 'data'],
  ['store with a numeric format', () => storage.store(bytes, 5), 'format'],
  ['retrieve with a number for the envelope', () => storage.retrieve(42), 'envelope'],
  ['retrieve with an ArrayBuffer for the envelope', () => storage.retrieve(new ArrayBuffer(4)), 'envelope'],
  ['retrieve with a string for options', () => storage.retrieve(envelope, 'strict'), 'options'],
  [
    'retrieve with validateMsgpack "yes"',
    () => storage.retrieve(envelope, { validateMsgpack: 'yes' }),
    'validateMsgpack',
  ],
  [
    'retrieve with validateMsgpack 1',
    () => storage.retrieve(envelope, { validateMsgpack: 1 }),
    'validateMsgpack',
  ],
  ['derive with a number for the master key', () => U.TenantKeys.derive(8), 'masterKey'],
  ['derive with no master key', () => U.TenantKeys.derive(), 'masterKey'],
  ['derive with a numeric tenant', () => U.TenantKeys.derive('ab'.repeat(32), 5), 'tenant'],
  ['derive with a string for options', () => U.TenantKeys.derive('ab'.repeat(32), 't', 'x'), 'options'],
  [
    'derive with previousKeys a string',
    () => U.TenantKeys.derive('ab'.repeat(32), 't', { previousKeys: 'ab' }),
    'previousKeys',
  ],
  [
    'derive with a numeric previous key',
    () => U.TenantKeys.derive('ab'.repeat(32), 't', { previousKeys: [7] }),
    'previousKeys[0]',
  ],
  ['encrypt with a number for the plaintext', () => keys.encrypt(3, ctx), 'plaintext'],
  ['encrypt without its context', () => keys.encrypt(bytes), 'context'],
  ['encrypt with a numeric cacheKey', () => keys.encrypt(bytes, { ...ctx, cacheKey: 1 }), 'cacheKey'],
  ['encrypt without a format', () => keys.encrypt(bytes, { cacheKey: 'k', compressed: false }), 'format'],
  ['encrypt with compressed "yes"', () => keys.encrypt(bytes, { ...ctx, compressed: 'yes' }), 'compressed'],
  [
    'encrypt with a numeric originalType',
    () => keys.encrypt(bytes, { ...ctx, originalType: 2 }),
    'originalType',
  ],
  ['decrypt with a string for the ciphertext', () => keys.decrypt('sealed', ctx), 'sealed'],
  ['decrypt without its context', () => keys.decrypt(ciphertext), 'context'],
  [
    'decrypt with compressed missing',
    () => keys.decrypt(ciphertext, { cacheKey: 'k', format: 'msgpack' }),
    'compressed',
  ],
  ['seal with an array for data', () => keys.seal([1, 2], { cacheKey: 'k' }), 'data'],
  ['seal without its options', () => keys.seal(bytes), 'options'],
  ['seal without a cacheKey', () => keys.seal(bytes, {}), 'cacheKey'],
  ['seal with a numeric format', () => keys.seal(bytes, { cacheKey: 'k', format: 3 }), 'format'],
  ['open with a number for the sealed value', () => keys.open(12, { cacheKey: 'k' }), 'sealed'],
  ['open without its options', () => keys.open(sealed), 'options'],
  ['open with a numeric cacheKey', () => keys.open(sealed, { cacheKey: 4 }), 'cacheKey'],
  [
    'open with validateMsgpack "yes"',
    () => keys.open(sealed, { cacheKey: 'k', validateMsgpack: 'yes' }),
    'validateMsgpack',
  ],
  ['checksum with a string', () => U.checksum('abc'), 'data'],
  ['checksumHex with null', () => U.checksumHex(null), 'data'],
  ['lz4Compress with an object', () => U.lz4Compress({}), 'data'],
  ['lz4Decompress with a number for the block', () => U.lz4Decompress(5, 5), 'block'],
  ['lz4Decompress with a string size', () => U.lz4Decompress(lz4Compress(bytes), '5'), 'originalSize'],
  ['lz4Decompress with a fractional size', () => U.lz4Decompress(lz4Compress(bytes), 1.5), 'originalSize'],
  ['lz4Decompress with a negative size', () => U.lz4Decompress(lz4Compress(bytes), -1), 'originalSize'],
  ['lz4Decompress with NaN', () => U.lz4Decompress(lz4Compress(bytes), Number.NaN), 'originalSize'],
  ['validateMsgpack with a number', () => U.validateMsgpack(1), 'data'],
  [
    'validateMsgpack with allowTrailing "no"',
    () => U.validateMsgpack(Buffer.from([0xc0]), { allowTrailing: 'no' }),
    'allowTrailing',
  ],
]

const ASYNC: Case[] = [
  ['storeAsync with a number for data', () => storage.storeAsync(8), 'data'],
  ['storeAsync with a numeric format', () => storage.storeAsync(bytes, 5), 'format'],
  ['retrieveAsync with a string for the envelope', () => storage.retrieveAsync('x'), 'envelope'],
  [
    'retrieveAsync with validateMsgpack "yes"',
    () => storage.retrieveAsync(envelope, { validateMsgpack: 'yes' }),
    'validateMsgpack',
  ],
  ['encryptAsync with a Float64Array', () => keys.encryptAsync(new Float64Array(1), ctx), 'plaintext'],
  ['encryptAsync without its context', () => keys.encryptAsync(bytes), 'context'],
  [
    'decryptAsync with compressed "no"',
    () => keys.decryptAsync(ciphertext, { ...ctx, compressed: 'no' }),
    'compressed',
  ],
  ['decryptAsync with a number', () => keys.decryptAsync(1, ctx), 'sealed'],
  ['sealAsync without its options', () => keys.sealAsync(bytes), 'options'],
  ['sealAsync with a numeric cacheKey', () => keys.sealAsync(bytes, { cacheKey: 9 }), 'cacheKey'],
  ['openAsync without its options', () => keys.openAsync(sealed), 'options'],
  [
    'openAsync with validateMsgpack "yes"',
    () => keys.openAsync(sealed, { cacheKey: 'k', validateMsgpack: 'yes' }),
    'validateMsgpack',
  ],
]

function expectArgumentError(err: unknown, argument: string): void {
  expect(err).toBeInstanceOf(CachekitError)
  const { code, message } = err as CachekitError
  expect(code).toBe('INVALID_ARGUMENT')
  expect(message).toContain(`\`${argument}\``)
  // ...and the fix: every message ends with what to pass instead.
  expect(message).toMatch(/: pass .+/)
}

describe('wrong native arguments', () => {
  it.each(SYNC)('%s is an INVALID_ARGUMENT CachekitError naming it', (_what, call, argument) => {
    let caught: unknown
    try {
      call()
    } catch (err) {
      caught = err
    }
    expectArgumentError(caught, argument)
  })

  it.each(ASYNC)(
    '%s rejects (never throws) with an INVALID_ARGUMENT naming it',
    async (_what, call, argument) => {
      let pending: unknown
      expect(() => {
        pending = call()
      }).not.toThrow()
      expect(pending).toBeInstanceOf(Promise)
      const caught = await (pending as Promise<unknown>).then(
        () => undefined,
        (err: unknown) => err,
      )
      expectArgumentError(caught, argument)
    },
  )

  it('validateMsgpack is one rule for sync and async: only true or false (or absent)', async () => {
    expect(storage.retrieve(envelope, { validateMsgpack: false }).data.equals(bytes)).toBe(true)
    expect((await storage.retrieveAsync(envelope, { validateMsgpack: false })).data.equals(bytes)).toBe(true)
    expect(storage.retrieve(envelope, {}).data.equals(bytes)).toBe(true)
    expect(() => storage.retrieve(envelope, { validateMsgpack: true })).toThrow(CachekitError)
    await expect(storage.retrieveAsync(envelope, { validateMsgpack: true })).rejects.toBeInstanceOf(
      CachekitError,
    )
  })

  it('accepts a Uint8Array from another realm and Buffer subarrays', async () => {
    const { runInNewContext } = await import('node:vm')
    const foreign = runInNewContext('new Uint8Array([1, 2, 3])') as Uint8Array
    expect(storage.retrieve(storage.store(foreign)).data).toEqual(Buffer.from([1, 2, 3]))
    expect(storage.retrieve(storage.store(bytes.subarray(1))).data.toString()).toBe('alue')
  })
})
