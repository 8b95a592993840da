/** Time and lifetime: entries expire, close() is safe to repeat, failures are typed and bounded. */
import { describe, expect, it } from 'vitest'
import type { Backend } from '../../src/backends/backend.js'
import { BackendError } from '../../src/errors.js'
import type { ContractContext } from './backend-contract.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** One call of every asynchronous operation but close, each on its own key. */
function everyOperation(b: Backend, key: (name: string) => string): Array<[string, () => Promise<unknown>]> {
  return [
    ['get', () => b.get(key('get'))],
    ['getWithTtl', () => b.getWithTtl(key('getWithTtl'))],
    ['set', () => b.set(key('set'), Buffer.from('x'), 60)],
    ['setMany', () => b.setMany([[key('setMany'), Buffer.from('x')]], 60)],
    ['delete', () => b.delete(key('delete'))],
    ['exists', () => b.exists(key('exists'))],
    ['ttl', () => b.ttl(key('ttl'))],
    ['getMany', () => b.getMany([key('getMany')])],
    ['deleteByPrefix', () => b.deleteByPrefix(key('deleteByPrefix'))],
  ]
}

async function rejection(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call()
  } catch (err) {
    return err
  }
  return undefined
}

export function registerLifecycleContract(t: ContractContext): void {
  describe('expiry', () => {
    it('an entry is gone from every read path once its TTL has passed; a longer one stays', async () => {
      const b = await t.backend()
      await b.set(t.key('short'), Buffer.from('s'), 1)
      await b.setMany([[t.key('short-batch'), Buffer.from('s')]], 1)
      await b.set(t.key('long'), Buffer.from('l'), 60)
      await sleep(1100)
      for (const k of [t.key('short'), t.key('short-batch')]) {
        expect(await b.get(k)).toBeNull()
        expect(await b.getWithTtl(k)).toBeNull()
        expect(await b.exists(k)).toBe(false)
        expect(await b.getMany([k])).toEqual([null])
        if (t.subject.capabilities.remainingTtl) expect(await b.ttl(k)).toBeNull()
      }
      expect((await b.get(t.key('long')))?.toString()).toBe('l')
    })
  })

  describe('close', () => {
    it('is idempotent: closing twice, or twice at once, resolves', async () => {
      const b = await t.backend()
      await b.set(t.key('a'), Buffer.from('x'), 60)
      await b.close()
      await b.close()
      const other = await t.backend()
      await Promise.all([other.close(), other.close()])
    })

    if (t.subject.afterClose === 'rejects') {
      it('after close every operation rejects with BackendError CLOSED, kind permanent', async () => {
        const b = await t.backend()
        await b.close()
        for (const [op, call] of everyOperation(b, t.key)) {
          const err = await rejection(call)
          expect(err, op).toBeInstanceOf(BackendError)
          expect(err, op).toMatchObject({ code: 'CLOSED', kind: 'permanent' })
        }
      })
    } else {
      it('close releases what was stored; the store stays usable, empty', async () => {
        const b = await t.backend()
        await b.set(t.key('a'), Buffer.from('x'), 60)
        await b.close()
        expect(await b.get(t.key('a'))).toBeNull()
        await b.set(t.key('b'), Buffer.from('y'), 60)
        expect((await b.get(t.key('b')))?.toString()).toBe('y')
      })
    }
  })

  const unreachable = t.subject.unreachable
  if (unreachable !== undefined) {
    describe('failures', () => {
      it('with the store unreachable every operation rejects (never throws) with a BackendError of kind connection, within 2.5 s', async () => {
        const b = await unreachable()
        try {
          const started = Date.now()
          const results = await Promise.all(
            everyOperation(b, t.key).map(async ([op, call]) => {
              let promise: Promise<unknown> | undefined
              expect(() => {
                promise = call()
              }, op).not.toThrow()
              return [op, await rejection(() => promise as Promise<unknown>)] as const
            }),
          )
          expect(Date.now() - started).toBeLessThan(2500)
          for (const [op, err] of results) {
            expect(err, op).toBeInstanceOf(BackendError)
            expect((err as BackendError).kind, op).toBe('connection')
          }
        } finally {
          await b.close()
        }
      })
    })
  }
}
