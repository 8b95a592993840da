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
