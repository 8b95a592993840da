/** Reads and writes: what comes back is exactly what went in, under exactly the key it went in. */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { ContractContext } from './backend-contract.js'

const v = (text: string) => Buffer.from(text)

function expectBytes(got: Buffer | null | undefined, want: Buffer): void {
  expect(Buffer.isBuffer(got)).toBe(true)
  expect(got?.length).toBe(want.length)
  expect(got?.equals(want)).toBe(true)
}

const EVERY_BYTE = Buffer.from(Array.from({ length: 256 }, (_, i) => i))

export function registerDataContract(t: ContractContext): void {
  describe('reads and writes', () => {
    it('a key never written reads as null on every read path, and does not exist', async () => {
      const b = await t.backend()
      expect(await b.get(t.key('none'))).toBeNull()
      expect(await b.getWithTtl(t.key('none'))).toBeNull()
      expect(await b.getMany([t.key('none')])).toEqual([null])
      expect(await b.exists(t.key('none'))).toBe(false)
    })

    it('set then get returns the same bytes, as a Buffer', async () => {
      const b = await t.backend()
      await b.set(t.key('a'), v('alpha'), 60)
      expectBytes(await b.get(t.key('a')), v('alpha'))
      expectBytes((await b.getWithTtl(t.key('a')))?.value, v('alpha'))
    })

    it('set replaces the value of a key already written', async () => {
      const b = await t.backend()
      await b.set(t.key('a'), v('first'), 60)
      await b.set(t.key('a'), v('second'), 60)
      expectBytes(await b.get(t.key('a')), v('second'))
    })

    it('what is stored is a copy: changing the Buffer given to set, or one read back, changes nothing stored', async () => {
      const b = await t.backend()
      const given = v('original')
      await b.set(t.key('a'), given, 60)
      given.fill(0)
      const read = await b.get(t.key('a'))
      read?.fill(0)
      expectBytes(await b.get(t.key('a')), v('original'))
    })

    it('delete resolves true for a key it removed, false for a missing one, and the key is gone', async () => {
      const b = await t.backend()
      await b.set(t.key('a'), v('x'), 60)
      expect(await b.delete(t.key('a'))).toBe(true)
      expect(await b.delete(t.key('a'))).toBe(false)
      expect(await b.get(t.key('a'))).toBeNull()
      expect(await b.exists(t.key('a'))).toBe(false)
    })

    it('exists is true for a written key and false once it is deleted', async () => {
      const b = await t.backend()
      await b.set(t.key('a'), v('x'), 60)
      expect(await b.exists(t.key('a'))).toBe(true)
      await b.delete(t.key('a'))
      expect(await b.exists(t.key('a'))).toBe(false)
    })

    it('getMany answers in the order of the keys, null for missing ones, each duplicate answered', async () => {
      const b = await t.backend()
      await b.set(t.key('a'), v('A'), 60)
      await b.set(t.key('c'), v('C'), 60)
      const got = await b.getMany([t.key('c'), t.key('b'), t.key('a'), t.key('c')])
      expect(got.map((x) => x?.toString() ?? null)).toEqual(['C', null, 'A', 'C'])
      expect(await b.getMany([])).toEqual([])
    })

    it('setMany writes every entry; an empty batch resolves and writes nothing', async () => {
      const b = await t.backend()
      await b.setMany([], 60)
      await b.setMany(
        [
          [t.key('a'), v('A')],
          [t.key('b'), v('B')],
        ],
        60,
      )
      expect((await b.getMany([t.key('a'), t.key('b')])).map(String)).toEqual(['A', 'B'])
    })

    it('setMany is atomic from a reader: another handle never sees part of a batch', async () => {
      const b = await t.backend()
      const reader = await t.peer(b)
      const keys = Array.from({ length: 200 }, (_, i) => t.key(`batch:${i}`))
      const value = randomBytes(4096)
      let written = false
      const writing = b.setMany(
        keys.map((k) => [k, value] as const),
        60,
      )
      const done = () => {
        written = true
      }
      writing.then(done, done)
      const seen: number[] = []
      while (!written) {
        const snapshot = await reader.getMany(keys)
        seen.push(snapshot.filter((x) => x !== null).length)
      }
      await writing
      expect(seen.every((present) => present === 0 || present === keys.length)).toBe(true)
      expect((await reader.getMany(keys)).every((x) => x?.equals(value))).toBe(true)
    })
  })

  describe('values are bytes, stored exactly', () => {
    const values: Array<[string, Buffer]> = [
      ['every byte value 0..255', EVERY_BYTE],
      ['an empty buffer', Buffer.alloc(0)],
      ['1 MiB of random bytes', randomBytes(1024 * 1024)],
      [
        'bytes that are not UTF-8 (lone continuation, overlong, 0xFF)',
        Buffer.from([0x80, 0xc0, 0xaf, 0xff, 0xfe, 0x00]),
      ],
    ]
    for (const [what, bytes] of values) {
      it(`${what} come back unchanged through set, setMany, get, getWithTtl and getMany`, async () => {
        const b = await t.backend()
        await b.set(t.key('one'), bytes, 60)
        await b.setMany([[t.key('many'), bytes]], 60)
        for (const k of [t.key('one'), t.key('many')]) {
          expectBytes(await b.get(k), bytes)
          expectBytes((await b.getWithTtl(k))?.value, bytes)
          expectBytes((await b.getMany([k]))[0], bytes)
        }
      })
    }

    it('an empty value is stored, not taken for a missing key', async () => {
      const b = await t.backend()
      await b.set(t.key('empty'), Buffer.alloc(0), 60)
      expect(await b.exists(t.key('empty'))).toBe(true)
      expect(await b.get(t.key('empty'))).not.toBeNull()
    })
  })

  describe('keys are matched exactly', () => {
    const keys = [
      'ключ',
      '键:值',
      '🙂:family:👨‍👩‍👧',
      'مفتاح',
      'glob*?[]\\chars',
      'spaces and\ttabs\nnewlines',
      'a'.repeat(1024),
    ]
    it('unicode, glob characters, whitespace and long keys round-trip as distinct keys', async () => {
      const b = await t.backend()
      await b.setMany(
        keys.map((k, i) => [t.key(k), v(String(i))] as const),
        60,
      )
      for (const [i, k] of keys.entries()) expect((await b.get(t.key(k)))?.toString()).toBe(String(i))
      expect((await b.getMany(keys.map(t.key))).map(String)).toEqual(keys.map((_, i) => String(i)))
    })

    it('keys that look alike are different keys (NFC vs NFD é, glob pattern vs what it matches)', async () => {
      const b = await t.backend()
      await b.set(t.key('caf\u00e9'), v('nfc'), 60)
      await b.set(t.key('a*'), v('star'), 60)
      expect(await b.get(t.key('cafe\u0301'))).toBeNull()
      expect(await b.get(t.key('ab'))).toBeNull()
      expect(await b.exists(t.key('a?'))).toBe(false)
      expect(await b.delete(t.key('a?'))).toBe(false)
      expect((await b.get(t.key('a*')))?.toString()).toBe('star')
    })
  })
}
