import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../../src/errors.js'
import { cache, createCache, MemoryBackend } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

const code = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (err) {
    return (err as ConfigurationError).code
  }
  return undefined
}

describe('a shared store needs explicit namespaces', () => {
  it('cache(fn) with a backend and no namespace is refused at wrap time, with the fix', () => {
    const backend = new MemoryBackend()
    expect(() => cache(async function get(_id: number) {}, { backend })).toThrow(ConfigurationError)
    expect(() => cache(async function get(_id: number) {}, { backend })).toThrow(
      /Pass \{ namespace: "users\.get" \}/,
    )
    expect(code(() => cache.secure(async function find() {}, { backend, masterKey: 'a'.repeat(64) }))).toBe(
      'NAMESPACE_REQUIRED',
    )
  })

  it('the function name stays the default where the store is private to that one function', async () => {
    expect(cache(async function lookup() {}, { backend: null }).info().namespace).toBe('lookup')
    expect(cache.local(async function total() {}).info().namespace).toBe('total')
    expect(cache.test(async function probe() {}).info().namespace).toBe('probe')
  })

  it('createCache with a backend needs a namespace; L1-only and test caches default to "default"', () => {
    expect(code(() => createCache({ backend: new MemoryBackend() }))).toBe('NAMESPACE_REQUIRED')
    expect(createCache({ backend: null }).namespace).toBe('default')
    expect(createCache({ intent: 'test' }).namespace).toBe('default')
  })

  it('a by-key cache on a shared store needs { name } for each wrapped function', () => {
    const users = createCache({ namespace: 'users', backend: new MemoryBackend() })
    expect(code(() => users.wrap(async function get() {}))).toBe('NAMESPACE_REQUIRED')
    expect(() => users.wrap(async function get() {})).toThrow(/wrap\(fn, \{ name: 'byId' \}\)/)
    const local = createCache({ backend: null })
    expect(local.wrap(async function get() {}).info().namespace).toBe('default/get')
  })

  it('legacy-style decorators are refused at class definition on a shared store', () => {
    const backend = new MemoryBackend()
    const decorate = cache({ backend })
    const descriptor = { value: async function find() {}, writable: true, configurable: true }
    expect(code(() => decorate({ constructor: { name: 'Repo' } } as object, 'find', descriptor))).toBe(
      'NAMESPACE_REQUIRED',
    )
  })
})

describe('two caches, one backend: each function in its own key space', () => {
  it('users.get and orders.get return their own values (the collision that returned users as orders)', async () => {
    const backend = new MemoryBackend()
    const users = createCache({ namespace: 'users', backend })
    const orders = createCache({ namespace: 'orders', backend })
    const getUser = users.wrap(async (id: number) => ({ user: id }), { name: 'get' })
    const getOrder = orders.wrap(async (id: number) => ({ order: id }), { name: 'get' })
    expect(await getUser(1)).toEqual({ user: 1 })
    expect(await getOrder(1)).toEqual({ order: 1 })
    // Another process (its own backend object over the same store) reads the entry from L2.
    const otherOrders = createCache({ namespace: 'orders', backend: new FaultyBackend(backend) })
    const otherGet = otherOrders.wrap(async (id: number) => ({ order: id }), { name: 'get' })
    expect(await otherGet(1)).toEqual({ order: 1 })
    expect(otherGet.info().l2Hits).toBe(1)
    expect(getUser.key(1)).toMatch(/^ck:users\/get:[0-9a-f]{64}$/)
    expect(getOrder.key(1)).toMatch(/^ck:orders\/get:[0-9a-f]{64}$/)
  })

  it("a by-key key can never address a wrapped function's entry", async () => {
    const backend = new MemoryBackend()
    const sessions = createCache({ namespace: 'sessions', backend })
    const load = sessions.wrap(async (id: string) => ({ secret: id }), { name: 'load' })
    await load('x')
    const hash = load.key('x').split(':').at(-1) as string
    // The only by-key keys near it are ck:sessions:..., never ck:sessions/load:...
    expect(await sessions.get(`load:${hash}`)).toBeUndefined()
    await sessions.set(`load:${hash}`, 'poison')
    expect(await load('x')).toEqual({ secret: 'x' })
  })

  it("invalidate() of a by-key cache reaches its wrapped functions' entries, and only its own", async () => {
    const backend = new MemoryBackend()
    const users = createCache({ namespace: 'users', backend })
    const usersAdmin = createCache({ namespace: 'users.admin', backend })
    const byId = users.wrap(async (id: number) => ({ id }), { name: 'byId' })
    await byId(1)
    await users.set('u:1', 1)
    await usersAdmin.set('u:1', 'admin')
    expect(await users.invalidate()).toBe(2)
    expect(await backend.exists(byId.key(1))).toBe(false)
    expect(await usersAdmin.get('u:1')).toBe('admin')
    expect(byId.info().l1?.entries).toBe(0)
  })
})

describe('two different functions under one namespace of one backend, in one process', () => {
  it('are refused, naming both and the fix', () => {
    const backend = new MemoryBackend()
    cache(async (id: number) => ({ user: id }), { namespace: 'dup', backend })
    expect(code(() => cache(async (id: number) => ({ order: id }), { namespace: 'dup', backend }))).toBe(
      'NAMESPACE_IN_USE',
    )
  })

  it('the same function wrapped again, or the same source evaluated again (a reload), is allowed', () => {
    const backend = new MemoryBackend()
    const load = async (id: number) => ({ id })
    cache(load, { namespace: 'again', backend })
    expect(() => cache(load, { namespace: 'again', backend })).not.toThrow()
    const make = () => async (id: number) => ({ id, reloaded: true })
    cache(make(), { namespace: 'reload', backend })
    expect(() => cache(make(), { namespace: 'reload', backend })).not.toThrow()
  })

  it('a function may not take the namespace of a by-key cache, nor the reverse', () => {
    const backend = new MemoryBackend()
    createCache({ namespace: 'mixed', backend })
    expect(code(() => cache(async () => 1, { namespace: 'mixed', backend }))).toBe('NAMESPACE_IN_USE')
    cache(async () => 2, { namespace: 'mixed2', backend })
    expect(code(() => createCache({ namespace: 'mixed2', backend }))).toBe('NAMESPACE_IN_USE')
    // Several by-key caches may share a namespace: their keys are the caller's.
    expect(() => createCache({ namespace: 'mixed', backend })).not.toThrow()
  })

  it('close() gives the namespace back', async () => {
    const backend = new MemoryBackend()
    const first = cache(async () => 'first', { namespace: 'handover', backend })
    await first.close()
    expect(() => cache(async () => 'second', { namespace: 'handover', backend })).not.toThrow()
  })

  it('a refused wrap leaves the backend it was given open and usable', async () => {
    const backend = new MemoryBackend()
    cache(async () => 1, { namespace: 'kept-open', backend })
    expect(() => cache(async () => 2, { namespace: 'kept-open', backend })).toThrow(ConfigurationError)
    expect(() => cache(async function unnamed() {}, { backend })).toThrow(ConfigurationError)
    await backend.set('k', Buffer.from('still here'), 60)
    expect(String(await backend.get('k'))).toBe('still here')
  })

  it('different backends do not conflict', () => {
    cache(async () => 1, { namespace: 'separate', backend: new MemoryBackend() })
    expect(() => cache(async () => 2, { namespace: 'separate', backend: new MemoryBackend() })).not.toThrow()
  })
})
