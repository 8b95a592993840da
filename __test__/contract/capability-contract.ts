/** Capabilities are honest: what a backend declares it does, and what it declares it lacks, it refuses. */
import { describe, expect, it } from 'vitest'
import type { Backend } from '../../src/backends/backend.js'
import { BackendError } from '../../src/errors.js'
import type { ContractContext } from './backend-contract.js'

const v = (text: string) => Buffer.from(text)

async function expectUnsupported(call: () => Promise<unknown>): Promise<void> {
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(BackendError)
  expect(err).toMatchObject({ code: 'UNSUPPORTED', kind: 'permanent' })
}

async function writeAll(b: Backend, keys: readonly string[]): Promise<void> {
  await b.setMany(
    keys.map((k) => [k, v(k)] as const),
    60,
  )
}

export function registerCapabilityContract(t: ContractContext): void {
  const declared = t.subject.capabilities

  describe('capabilities', () => {
    it(`declares ${JSON.stringify(declared)}, frozen, and a non-empty name`, async () => {
      const b = await t.backend()
      expect(b.capabilities).toEqual(declared)
      expect(Object.isFrozen(b.capabilities)).toBe(true)
      expect(typeof b.name).toBe('string')
      expect(b.name.length).toBeGreaterThan(0)
    })

    if (declared.prefixDelete) {
      it('prefixDelete: deleteByPrefix removes every key with the prefix, written through any handle, and counts them', async () => {
        const b = await t.backend()
        const other = await t.peer(b)
        await writeAll(b, [t.key('user:1'), t.key('user:2')])
        await writeAll(other, [t.key('user:3')])
        await writeAll(b, [t.key('users'), t.key('order:1')])
        expect(await b.deleteByPrefix(t.key('user:'))).toBe(3)
        expect(await b.getMany([t.key('user:1'), t.key('user:2'), t.key('user:3')])).toEqual([
          null,
          null,
          null,
        ])
        expect((await other.getMany([t.key('users'), t.key('order:1')])).map(String)).toEqual([
          t.key('users'),
          t.key('order:1'),
        ])
        expect(await b.deleteByPrefix(t.key('user:'))).toBe(0)
      })

      it('prefixDelete: the prefix matches literally, glob characters (* ? [ ] \\) included', async () => {
        const b = await t.backend()
        // 'a\\*' before 'a\\': each deletion must find exactly its own two keys.
        const literal = ['a*', 'a?', 'a[bc]', 'a]', 'a\\*', 'a\\']
        const lookalikes = ['ab', 'ac', 'a', 'b*']
        await writeAll(
          b,
          [...literal, ...lookalikes].flatMap((k) => [t.key(k), t.key(`${k}:tail`)]),
        )
        for (const k of literal) {
          expect(await b.deleteByPrefix(t.key(k)), k).toBe(2)
          expect(await b.exists(t.key(`${k}:tail`)), k).toBe(false)
        }
        for (const k of lookalikes) expect(await b.exists(t.key(`${k}:tail`)), k).toBe(true)
      })

      it('prefixDelete: a unicode prefix removes its keys and only those', async () => {
        const b = await t.backend()
        await writeAll(b, [t.key('ключ:1'), t.key('ключ:2'), t.key('ключи'), t.key('🙂:1')])
        expect(await b.deleteByPrefix(t.key('ключ:'))).toBe(2)
        expect(await b.exists(t.key('ключи'))).toBe(true)
        expect(await b.deleteByPrefix(t.key('🙂'))).toBe(1)
      })

      it('prefixDelete: removes more keys than one scan batch (1200)', async () => {
        const b = await t.backend()
        await writeAll(
          b,
          Array.from({ length: 1200 }, (_, i) => t.key(`bulk:${i}`)),
        )
        expect(await b.deleteByPrefix(t.key('bulk:'))).toBe(1200)
        expect(await b.exists(t.key('bulk:0'))).toBe(false)
      })
    } else {
      it('no prefixDelete: deleteByPrefix rejects with UNSUPPORTED, kind permanent, and deletes nothing', async () => {
        const b = await t.backend()
        await writeAll(b, [t.key('a:1')])
        await expectUnsupported(() => b.deleteByPrefix(t.key('a:')))
        expect(await b.exists(t.key('a:1'))).toBe(true)
      })
    }

    if (declared.remainingTtl) {
      it('remainingTtl: ttl and getWithTtl tell the time left; ttl is null for a missing key', async () => {
        const b = await t.backend()
        await b.set(t.key('a'), v('x'), 100)
        const seconds = await b.ttl(t.key('a'))
        expect(seconds).toBeGreaterThan(98)
        expect(seconds).toBeLessThanOrEqual(100)
        const ttlMs = (await b.getWithTtl(t.key('a')))?.ttlMs
        expect(ttlMs).toBeGreaterThan(98_000)
        expect(ttlMs).toBeLessThanOrEqual(100_000)
        expect(await b.ttl(t.key('missing'))).toBeNull()
      })

      it('remainingTtl: a write sets the TTL anew, through set and setMany alike', async () => {
        const b = await t.backend()
        await b.set(t.key('a'), v('x'), 1000)
        await b.set(t.key('a'), v('y'), 10)
        await b.setMany([[t.key('b'), v('x')]], 1000)
        await b.setMany([[t.key('b'), v('y')]], 10)
        for (const k of [t.key('a'), t.key('b')]) {
          expect(await b.ttl(k)).toBeLessThanOrEqual(10)
          expect(await b.ttl(k)).toBeGreaterThan(8)
        }
      })
    } else {
      it('no remainingTtl: getWithTtl reports ttlMs null and ttl rejects with UNSUPPORTED', async () => {
        const b = await t.backend()
        await b.set(t.key('a'), v('x'), 100)
        expect((await b.getWithTtl(t.key('a')))?.ttlMs).toBeNull()
        await expectUnsupported(() => b.ttl(t.key('a')))
      })
    }

    if (declared.sync) {
      it('sync: the synchronous face reads and writes the same entries as the asynchronous one', async () => {
        const b = await t.backend()
        const sync = b.sync
        expect(sync).toBeDefined()
        if (sync === undefined) return
        await b.set(t.key('async'), v('from async'), 60)
        expect(sync.getWithTtl(t.key('async'))?.value.toString()).toBe('from async')
        sync.set(t.key('sync'), v('from sync'), 60)
        expect((await b.get(t.key('sync')))?.toString()).toBe('from sync')
        expect(sync.delete(t.key('sync'))).toBe(true)
        expect(await b.exists(t.key('sync'))).toBe(false)
        if (declared.prefixDelete) {
          expect(sync.deleteByPrefix(t.key('async'))).toBe(1)
          expect(await b.exists(t.key('async'))).toBe(false)
        }
      })
    } else {
      it('no sync: there is no synchronous face', async () => {
        const b = await t.backend()
        expect(b.sync).toBeUndefined()
      })
    }
  })
}
