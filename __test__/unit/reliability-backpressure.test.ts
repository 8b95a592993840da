import { describe, expect, it } from 'vitest'
import { MemoryBackend } from '../../src/backends/memory.js'
import { BackendError } from '../../src/errors.js'
import { BackpressureBackend } from '../../src/reliability/backpressure.js'
import { FaultyBackend } from '../support/faulty-backend.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function pressured(maxConcurrent: number, maxWaiting: number, maxWaitMs: number) {
  const memory = new MemoryBackend()
  const store = new FaultyBackend(memory)
  return { memory, store, b: new BackpressureBackend(store, { maxConcurrent, maxWaiting, maxWaitMs }) }
}

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (e: unknown) => e,
  )
}

describe('backpressure bounds the L2 operations of a store', () => {
  it('at most maxConcurrent are in flight; the next ones wait and go on, in order, as slots free up', async () => {
    const { store, b } = pressured(2, 10, 1000)
    store.hang()
    const order: string[] = []
    const all = ['a', 'b', 'c', 'd'].map((k) => b.set(k, Buffer.from(k), 60).then(() => order.push(k)))
    await sleep(5)
    expect(store.pending).toBe(2)
    expect(b.snapshot()).toMatchObject({ inFlight: 2, waiting: 2, shed: 0 })
    store.release()
    await Promise.all(all)
    expect(order).toEqual(['a', 'b', 'c', 'd'])
    expect(store.calls).toEqual(['set', 'set', 'set', 'set'])
    expect(b.snapshot()).toMatchObject({ inFlight: 0, waiting: 0 })
  })

  it('past maxWaiting an operation is shed at once with OVERLOADED (kind transient), never reaching the store', async () => {
    const { store, b } = pressured(1, 1, 1000)
    store.hang()
    const first = b.get('a')
    const second = b.get('b')
    const started = performance.now()
    const err = await rejection(b.get('c'))
    // At once, not after a deadline (generous: the machine may be busy).
    expect(performance.now() - started).toBeLessThan(50)
    expect(err).toBeInstanceOf(BackendError)
    expect(err).toMatchObject({ code: 'OVERLOADED', kind: 'transient' })
    expect((err as Error).message).toMatch(
      /all 1 L2 slots were busy and 1 operations were waiting.*reliability\.backpressure/,
    )
    expect(b.snapshot().shed).toBe(1)
    store.release()
    await Promise.all([first, second])
    expect(store.calls).toEqual(['get', 'get'])
  })

  it('an operation that waits longer than maxWaitMs is shed', async () => {
    const { store, b } = pressured(1, 10, 30)
    store.hang()
    const first = b.get('a')
    const started = performance.now()
    const err = await rejection(b.get('b'))
    expect(performance.now() - started).toBeGreaterThanOrEqual(28)
    expect(err).toMatchObject({ code: 'OVERLOADED' })
    expect((err as Error).message).toMatch(/none was free within 30 ms/)
    store.release()
    await first
    expect(store.calls).toEqual(['get'])
    expect(b.snapshot()).toMatchObject({ inFlight: 0, waiting: 0, shed: 1 })
  })

  it('a failed operation frees its slot like a successful one', async () => {
    const { store, b } = pressured(1, 10, 1000)
    store.failTimes(3)
    for (let i = 0; i < 3; i++) await rejection(b.get('k'))
    await b.get('k')
    expect(b.snapshot()).toMatchObject({ inFlight: 0, shed: 0 })
  })

  it('maxWaiting 0 sheds whatever finds every slot busy', async () => {
    const { store, b } = pressured(1, 0, 100)
    store.hang()
    const first = b.get('a')
    expect(await rejection(b.get('b'))).toMatchObject({ code: 'OVERLOADED' })
    store.release()
    await first
  })

  it('values come back unchanged through it', async () => {
    const { memory, b } = pressured(4, 4, 100)
    await b.setMany(
      [
        ['a', Buffer.from('1')],
        ['b', Buffer.from('2')],
      ],
      60,
    )
    expect((await memory.get('a'))?.toString()).toBe('1')
    expect((await b.getMany(['a', 'b', 'c'])).map((v) => v?.toString() ?? null)).toEqual(['1', '2', null])
    expect(await b.deleteByPrefix('a')).toBe(1)
    expect(await b.exists('b')).toBe(true)
  })
})
