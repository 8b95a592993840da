import { describe, expect, it } from 'vitest'
import { L1Cache } from '../../src/index.js'

const frozenValue = (value: unknown): unknown => {
  const l1 = new L1Cache(1 << 20)
  l1.setFrozen('k', value, 1, 60_000)
  return l1.get('k')?.frozen
}

describe('L1Cache frozen mode', () => {
  it('freezes a value nested 100 000 deep without using the call stack', () => {
    const root: unknown[] = []
    let inner = root
    for (let i = 0; i < 100_000; i++) {
      const next: unknown[] = []
      inner.push(next)
      inner = next
    }
    expect(frozenValue(root)).toBe(root)
    expect(Object.isFrozen(inner)).toBe(true)
  })

  it('visits each object of a shared graph once: 2^60 paths, 61 objects, well within a second', () => {
    let graph: unknown[] = [{ leaf: true }]
    const levels = [graph]
    for (let i = 0; i < 60; i++) {
      graph = [graph, graph]
      levels.push(graph)
    }
    const started = performance.now()
    frozenValue(graph)
    expect(performance.now() - started).toBeLessThan(1000)
    for (const level of levels) expect(Object.isFrozen(level)).toBe(true)
    expect(Object.isFrozen(levels[0]?.[0])).toBe(true)
  })

  it('freezes cycles, Map keys and values, Set members and Dates; typed arrays stay as they are', () => {
    const key = { k: 1 }
    const member = { m: 1 }
    const value: Record<string, unknown> = {
      map: new Map([[key, [2]]]),
      set: new Set([member]),
      when: new Date(5),
      bytes: Buffer.from([1]),
    }
    value.self = value
    frozenValue(value)
    expect(Object.isFrozen(value)).toBe(true)
    expect(Object.isFrozen(key)).toBe(true)
    expect(Object.isFrozen((value.map as Map<unknown, unknown>).get(key))).toBe(true)
    expect(Object.isFrozen(member)).toBe(true)
    expect(Object.isFrozen(value.when)).toBe(true)
    expect(Object.isFrozen(value.bytes)).toBe(false)
  })
})

describe('L1Cache frozen mode: collections and Dates are read-only too', () => {
  it('refuses set/delete/clear on a frozen Map, with a typed error that says what to do', () => {
    const map = new Map<string, number>([['a', 1]])
    frozenValue({ map })
    for (const mutate of [() => map.set('b', 2), () => map.delete('a'), () => map.clear()]) {
      expect(mutate).toThrow(
        expect.objectContaining({ code: 'FROZEN_VALUE', message: expect.stringMatching(/new Map\(/) }),
      )
    }
    expect([...map]).toEqual([['a', 1]])
    expect(map.get('a')).toBe(1)
  })

  it('refuses add/delete/clear on a frozen Set', () => {
    const set = new Set([1])
    frozenValue([set])
    for (const mutate of [() => set.add(2), () => set.delete(1), () => set.clear()]) {
      expect(mutate).toThrow(expect.objectContaining({ code: 'FROZEN_VALUE' }))
    }
    expect([...set]).toEqual([1])
  })

  it('refuses every setter of a frozen Date', () => {
    const when = new Date(5)
    frozenValue({ when })
    const setters = Object.getOwnPropertyNames(Date.prototype).filter((name) => name.startsWith('set'))
    expect(setters.length).toBeGreaterThan(10)
    for (const name of setters) {
      const setter = (when as unknown as Record<string, (n: number) => number>)[name]
      expect(() => setter?.call(when, 0)).toThrow(expect.objectContaining({ code: 'FROZEN_VALUE' }))
    }
    expect(when.getTime()).toBe(5)
  })

  it('leaves Maps, Sets and Dates that were not cached alone', () => {
    const map = new Map()
    map.set('x', 1)
    expect(map.get('x')).toBe(1)
    expect(Object.hasOwn(new Set(), 'add')).toBe(false)
  })
})
