import { describe, expect, it } from 'vitest'
import type { Backend } from '../../src/backends/backend.js'
import { MemoryBackend } from '../../src/backends/memory.js'
import { ConfigurationError } from '../../src/errors.js'
import { type BackendLayer, composeBackend, PassThroughBackend } from '../../src/reliability/compose.js'
import { WithoutPrefixDelete } from '../support/without-prefix-delete.js'
import { registerBackendContract } from './backend-contract.js'

/** A layer that writes `name>` when a call passes it on the way in and `name<` on the way out. */
function tracing(name: string, log: string[]): BackendLayer {
  class Tracing extends PassThroughBackend {
    readonly layer = name
    override async get(key: string): Promise<Buffer | null> {
      log.push(`${name}>`)
      try {
        return await this.next.get(key)
      } finally {
        log.push(`${name}<`)
      }
    }
  }
  return (next) => new Tracing(next)
}

const passThrough: BackendLayer = (next) => new PassThroughBackend(next)

describe('composeBackend puts layers around a backend, the first listed outermost', () => {
  it('without layers it is the backend itself', () => {
    const store = new MemoryBackend()
    expect(composeBackend(store)).toBe(store)
  })

  it('a call meets the layers in the order they are listed and comes back through them in reverse', async () => {
    const log: string[] = []
    const store = new MemoryBackend()
    await store.set('k', Buffer.from('v'), 60)
    const composed = composeBackend(
      store,
      tracing('outer', log),
      tracing('middle', log),
      tracing('inner', log),
    )
    expect((await composed.get('k'))?.toString()).toBe('v')
    expect(log).toEqual(['outer>', 'middle>', 'inner>', 'inner<', 'middle<', 'outer<'])
    expect((composed as unknown as { layer: string }).layer).toBe('outer')
  })

  it('each layer is built once, innermost first, around what the layers after it made', () => {
    const built: Array<[string, Backend]> = []
    const recording =
      (name: string): BackendLayer =>
      (next) => {
        built.push([name, next])
        return new PassThroughBackend(next)
      }
    const store = new MemoryBackend()
    const composed = composeBackend(store, recording('a'), recording('b'))
    expect(built.map(([name]) => name)).toEqual(['b', 'a'])
    expect(built[0]?.[1]).toBe(store)
    expect(built[1]?.[1]).not.toBe(store)
    expect(composed).not.toBe(store)
  })

  it('name, capabilities and the sync face pass through layers that do not change them', () => {
    const store = new MemoryBackend()
    const composed = composeBackend(store, passThrough, passThrough)
    expect(composed.name).toBe('memory')
    expect(composed.capabilities).toBe(store.capabilities)
    expect(composed.sync).toBe(store.sync)
  })

  it('a layer that changes a capability is seen by every layer outside it', () => {
    const composed = composeBackend(new MemoryBackend(), passThrough, (next) => new WithoutPrefixDelete(next))
    expect(composed.capabilities).toEqual({ prefixDelete: false, remainingTtl: true, sync: true })
    expect(Object.isFrozen(composed.capabilities)).toBe(true)
  })

  it('close reaches the backend through every layer', async () => {
    const store = new MemoryBackend()
    await store.set('k', Buffer.from('v'), 60)
    await composeBackend(store, passThrough, passThrough).close()
    expect(store.size).toBe(0)
  })

  it('refuses a layer that is not a function, saying what a layer is', () => {
    expect(() => composeBackend(new MemoryBackend(), passThrough, 'timeout' as never)).toThrow(
      ConfigurationError,
    )
    expect(() => composeBackend(new MemoryBackend(), null as never)).toThrow(
      /Backend layer 0 is null, not a function: pass layers as \(next: Backend\) => Backend/,
    )
  })

  it('refuses a layer that does not return a Backend, naming what is missing', () => {
    const partial: BackendLayer = function partial(next) {
      return { name: next.name, capabilities: next.capabilities, get: next.get } as unknown as Backend
    }
    expect(() => composeBackend(new MemoryBackend(), partial)).toThrow(
      /Backend layer 0 \(partial\) returned an object without getWithTtl, set, .*close: .*extend PassThroughBackend/,
    )
    expect(() => composeBackend(new MemoryBackend(), () => undefined as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_LAYER',
        message: expect.stringMatching(/returned undefined/),
      }),
    )
  })
})

// Pass-through layers keep every promise of the contract: they forward arguments and results whole.
registerBackendContract({
  name: 'memory under two pass-through layers',
  capabilities: { prefixDelete: true, remainingTtl: true, sync: true },
  create: () => composeBackend(new MemoryBackend(), passThrough, passThrough),
  peer: (backend) => composeBackend(backend, passThrough),
  afterClose: 'empties',
})
