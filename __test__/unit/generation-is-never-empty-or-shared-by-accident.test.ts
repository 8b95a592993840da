import { describe, expect, it } from 'vitest'
import { BackendError } from '../../src/errors.js'
import { cache, MemoryBackend } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'
import { WithoutPrefixDelete } from '../support/without-prefix-delete.js'

// On a store without prefix delete every stored key ends with "@<generation>", the generation
// being 16 hex characters kept in the store under ck:!generation:<namespace>. An empty stored
// generation is not one, and a process that cannot read the generation uses one of its own, so
// that it never shares entries with another process by accident.

const HEX16 = /^[0-9a-f]{16}$/
const generationKey = (namespace: string) => `ck:!generation:${namespace}`

describe('the namespace generation', () => {
  it('an empty stored generation is replaced by a new one before anything is stored under it', async () => {
    const store = new MemoryBackend()
    await store.set(generationKey('gen-empty'), Buffer.alloc(0), 60)
    const get = cache(async () => 'value', {
      namespace: 'gen-empty',
      backend: new WithoutPrefixDelete(store),
    })
    expect(await get()).toBe('value')
    const generation = (await store.get(generationKey('gen-empty')))?.toString('latin1') ?? ''
    expect(generation).toMatch(HEX16)
    expect(await store.exists(`${get.key()}@${generation}`)).toBe(true)
  })

  it('the same holds for a synchronous function reading the store through its synchronous face', () => {
    const store = new MemoryBackend()
    store.sync?.set(generationKey('gen-empty-sync'), Buffer.alloc(0), 60)
    const get = cache.local(() => 'value', {
      namespace: 'gen-empty-sync',
      backend: new WithoutPrefixDelete(store),
    })
    expect(get()).toBe('value')
    const generation = store.sync?.getWithTtl(generationKey('gen-empty-sync'))?.value.toString('latin1') ?? ''
    expect(generation).toMatch(HEX16)
    expect(store.sync?.getWithTtl(`${get.key()}@${generation}`)).not.toBeNull()
  })

  it('a synchronous function on an empty store stores a generation and keys its entries with it', () => {
    const store = new MemoryBackend()
    const get = cache.local((id: number) => id * 2, {
      namespace: 'gen-sync-first',
      backend: new WithoutPrefixDelete(store),
      l1: false,
    })
    expect(get(21)).toBe(42)
    const generation = store.sync?.getWithTtl(generationKey('gen-sync-first'))?.value.toString('latin1') ?? ''
    expect(generation).toMatch(HEX16)
    expect(store.sync?.getWithTtl(`${get.key(21)}@${generation}`)).not.toBeNull()
    expect(get(21)).toBe(42)
    expect(get.info()).toMatchObject({ l2Hits: 1 })
  })

  it('two processes that could not read the generation never share entries', async () => {
    const store = new MemoryBackend()
    let runs = 0
    const load = async () => {
      runs++
      return `computed ${runs}`
    }
    const unreachableAtFirst = () =>
      new WithoutPrefixDelete(
        new FaultyBackend(store).failTimes(1, new BackendError('REDIS_ERROR', 'refused'), ['get']),
      )
    const here = cache(load, { namespace: 'gen-private', backend: unreachableAtFirst(), l1: false })
    const there = cache(load, { namespace: 'gen-private', backend: unreachableAtFirst(), l1: false })
    expect(await here()).toBe('computed 1')
    expect(await there()).toBe('computed 2')
    // Each reads its own entry back.
    expect(await here()).toBe('computed 1')
    expect(await there()).toBe('computed 2')
    expect(runs).toBe(2)
    // Nothing was stored as the generation: it was never read.
    expect(await store.get(generationKey('gen-private'))).toBeNull()
  })
})
