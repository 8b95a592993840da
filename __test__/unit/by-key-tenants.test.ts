import { randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { createCache, MemoryBackend } from '../../src/index.js'

describe('an encrypted by-key cache with a tenant function', () => {
  it('gives the tenant function the key on every read, so get and getMany decrypt what set wrote', async () => {
    const seen: unknown[][] = []
    const c = createCache({
      namespace: 'by-key-tenants',
      masterKey: randomBytes(32),
      backend: new MemoryBackend(),
      l1: false,
      tenant: (...args: unknown[]) => {
        seen.push(args)
        return String(args[0]).split(':')[0] as string
      },
      logger: { warn: vi.fn() },
    })
    await c.set('acme:1', { doc: 1 })
    await c.set('globex:2', { doc: 2 })
    seen.length = 0
    expect(await c.get('acme:1')).toEqual({ doc: 1 })
    expect(await c.getMany(['globex:2', 'acme:1'])).toEqual([{ doc: 2 }, { doc: 1 }])
    expect(seen).toEqual([['acme:1'], ['globex:2'], ['acme:1']])
  })
})
