import { describe, expect, it, vi } from 'vitest'
import { cache, cacheControl, MemoryBackend } from '../../src/index.js'

// Legacy decorators (experimentalDecorators: true, as NestJS uses): cache(target, key, descriptor).

const backend = new MemoryBackend()
const calls = vi.fn()

// Records the form each decorator call of this file takes: (target, key, descriptor) in legacy mode,
// (value, context) in standard mode. Applied beside @cache, it proves which mode compiled the class.
const decoratorForms: string[] = []
function probe(...args: unknown[]): void {
  decoratorForms.push(args.length === 3 && typeof args[1] === 'string' ? 'legacy' : 'standard')
}

class OrderService {
  constructor(readonly region: string) {}

  @probe
  @cache
  async find(id: number) {
    calls('find', id)
    return { id, region: this.region }
  }

  @cache({ ttl: 30, backend, namespace: 'orders.recent' })
  async recent(limit: number) {
    calls('recent', limit)
    return Array.from({ length: limit }, (_, i) => i)
  }

  @cache.io({ backend, namespace: 'OrderService.remote' })
  async remote(url: string) {
    calls('remote', url)
    return url.length
  }

  @cache.local
  sum(a: number, b: number) {
    calls('sum', a, b)
    return a + b
  }

  @cache({ backend: null })
  static async build() {
    calls('build')
    return 'b1'
  }
}

describe('legacy (experimentalDecorators) method decorators', () => {
  it('the decorator really ran in legacy mode (descriptor form)', () => {
    expect(decoratorForms).toEqual(['legacy'])
    const descriptor = Object.getOwnPropertyDescriptor(OrderService.prototype, 'find')
    expect(typeof descriptor?.value).toBe('function')
    expect(cacheControl(new OrderService('eu'), 'find').info().namespace).toBe('OrderService.find')
  })

  it('@cache caches by arguments across instances', async () => {
    calls.mockClear()
    const a = new OrderService('eu')
    const b = new OrderService('us')
    expect(await a.find(1)).toEqual({ id: 1, region: 'eu' })
    expect(await b.find(1)).toEqual({ id: 1, region: 'eu' })
    expect(calls).toHaveBeenCalledTimes(1)
  })

  it('@cache(options) and intents apply their options', async () => {
    calls.mockClear()
    const svc = new OrderService('eu')
    expect(await svc.recent(3)).toEqual([0, 1, 2])
    expect(await svc.recent(3)).toEqual([0, 1, 2])
    expect(await svc.remote('https://x')).toBe(9)
    expect(await svc.remote('https://x')).toBe(9)
    expect(svc.sum(1, 2)).toBe(3)
    expect(svc.sum(1, 2)).toBe(3)
    expect(calls).toHaveBeenCalledTimes(3)
    expect(cacheControl(svc, 'recent').info()).toMatchObject({
      namespace: 'orders.recent',
      ttl: 30,
      backend: 'memory',
    })
    expect(cacheControl(svc, 'remote').info()).toMatchObject({ namespace: 'OrderService.remote', ttl: 3600 })
    // The TTL as written, spread by the default ±10 % jitter.
    const ttl = await backend.ttl(cacheControl(svc, 'recent').key(3))
    expect(ttl).toBeGreaterThanOrEqual(26)
    expect(ttl).toBeLessThanOrEqual(33)
  })

  it('static methods are named after the class', async () => {
    calls.mockClear()
    expect(await OrderService.build()).toBe('b1')
    expect(await OrderService.build()).toBe('b1')
    expect(calls).toHaveBeenCalledTimes(1)
    expect(cacheControl(OrderService, 'build').info().namespace).toBe('OrderService.build')
  })

  it('on a shared store, a decorated method without a namespace is refused when the class is defined', () => {
    const decorate = cache({ backend })
    const descriptor = { value: async function find() {}, writable: true, configurable: true }
    expect(() => decorate(OrderService.prototype, 'findShared', descriptor)).toThrow(/has no namespace/)
  })

  it('invalidate through the method works', async () => {
    calls.mockClear()
    const svc = new OrderService('eu')
    await svc.recent(2)
    expect(await cacheControl(svc, 'recent').invalidate(2)).toBe(true)
    await svc.recent(2)
    expect(calls).toHaveBeenCalledTimes(2)
  })
})
