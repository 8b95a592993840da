import { describe, expect, it, vi } from 'vitest'
import type { CacheObserver } from '../../src/cache/events.js'
import { SerializationError } from '../../src/errors.js'
import { cache, MemoryBackend, type Serializer } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

// Stored bytes are untrusted. An entry that fails its checks is reported (an event, a counter, one
// warning that says what was found and what to do) and then removed and treated as a miss, or,
// for an encrypted cache that fails closed, refused with its error. An error that is not about the
// stored bytes is not hidden as a miss.

const KEY = 'a'.repeat(64)
const watching = (observer: CacheObserver) => ({
  attach: (c: { events: { observe(o: CacheObserver): unknown } }) => c.events.observe(observer),
})
const warnings = (logger: { warn: ReturnType<typeof vi.fn> }) =>
  logger.warn.mock.calls.map(([fields, message]) => ({ fields, message: message as string }))

/** A serializer of format `format` whose decode is `deserialize` (writes the text it is given). */
function serializerOf(format: string, deserialize: (bytes: Uint8Array) => unknown): Serializer {
  return {
    format,
    isMsgpack: false,
    serialize: (value) => Buffer.from(String(value)),
    deserialize,
  }
}

describe('a corrupt entry read from L2', () => {
  it('written with another serializer: dropped with FORMAT_MISMATCH, saying to use one serializer, and recomputed', async () => {
    const backend = new MemoryBackend()
    const logger = { warn: vi.fn() }
    const load = async (id: number) => `v${id}`
    const writer = cache(load, { namespace: 'fmt-mismatch', backend, l1: false, logger })
    await writer(1)
    const reader = cache(load, { namespace: 'fmt-mismatch', backend, l1: false, logger, serializer: 'json' })
    expect(await reader(1)).toBe('v1')
    const [warning] = warnings(logger)
    expect(warning?.fields).toMatchObject({
      event: 'corrupt-entry',
      namespace: 'fmt-mismatch',
      key: expect.stringMatching(/^[0-9a-f]{12}$/),
    })
    expect(warning?.fields.err).toMatchObject({
      code: 'FORMAT_MISMATCH',
      message:
        'An entry of namespace fmt-mismatch was written as msgpack but this cache reads json: use the same serializer everywhere or clear the namespace',
    })
    expect(warning?.message).toBe(
      `Dropping an entry of namespace fmt-mismatch (key ${warning?.fields.key}, FORMAT_MISMATCH)`,
    )
    expect(reader.info()).toMatchObject({ integrityErrors: 1, misses: 1, l2Hits: 0 })
  })

  it('an encrypted cache that fails closed says it is refusing the entry, not dropping it', async () => {
    const backend = new MemoryBackend()
    const logger = { warn: vi.fn() }
    const get = cache.secure(async (id: number) => `v${id}`, {
      namespace: 'refusing',
      masterKey: KEY,
      backend,
      l1: false,
      logger,
    })
    await get(1)
    await backend.set(get.key(2), (await backend.get(get.key(1))) as Buffer, 60)
    await expect(get(2)).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' })
    const [warning] = warnings(logger)
    expect(warning?.fields.event).toBe('corrupt-entry')
    expect(warning?.message).toBe(
      `Refusing an entry of namespace refusing (key ${warning?.fields.key}, AUTHENTICATION_FAILED)`,
    )
  })

  it('a payload its serializer cannot decode (DESERIALIZE_FAILED) is a miss, counted, and replaced', async () => {
    const backend = new MemoryBackend()
    const logger = { warn: vi.fn() }
    const load = async (id: number) => `v${id}`
    // Same format name, different bytes: stands for a buggy or hostile writer of "json" entries.
    const broken = serializerOf('json', () => 'unused')
    const writer = cache(load, { namespace: 'undecodable', backend, l1: false, logger, serializer: broken })
    await writer(1)
    expect((await backend.get(writer.key(1)))?.includes('v1')).toBe(true)
    const reader = cache(load, { namespace: 'undecodable', backend, l1: false, logger, serializer: 'json' })
    expect(await reader(1)).toBe('v1')
    expect(reader.info()).toMatchObject({ integrityErrors: 1, misses: 1, l2Hits: 0 })
    expect(warnings(logger)[0]?.fields.err).toMatchObject({ code: 'DESERIALIZE_FAILED' })
    // The recomputed value replaced it: the next reader hits.
    const next = cache(load, { namespace: 'undecodable', backend, l1: false, logger, serializer: 'json' })
    expect(await next(1)).toBe('v1')
    expect(next.info()).toMatchObject({ l2Hits: 1, integrityErrors: 0 })
  })

  it('an error of the serializer that is not about the stored bytes rejects the call instead of being a miss', async () => {
    const backend = new MemoryBackend()
    const logger = { warn: vi.fn() }
    let runs = 0
    const load = async (id: number) => {
      runs++
      return `v${id}`
    }
    const plain = serializerOf('text', (bytes) => Buffer.from(bytes).toString())
    const writer = cache(load, { namespace: 'not-corrupt', backend, l1: false, logger, serializer: plain })
    await writer(1)
    for (const failure of [
      new TypeError('the serializer has a bug'),
      new SerializationError('UNSUPPORTED_VALUE', 'not a decoding failure'),
    ]) {
      const failing = serializerOf('text', () => {
        throw failure
      })
      const reader = cache(load, {
        namespace: 'not-corrupt',
        backend,
        l1: false,
        logger,
        serializer: failing,
      })
      await expect(reader(1)).rejects.toBe(failure)
      expect(reader.info().integrityErrors).toBe(0)
    }
    expect(runs).toBe(1)
    // Not treated as corrupt: the entry stays, nothing is logged.
    expect(await backend.exists(writer.key(1))).toBe(true)
    expect(logger.warn).not.toHaveBeenCalled()
  })

  it('when the store cannot delete it, that is reported and logged, and the call still gets its value', async () => {
    const store = new MemoryBackend()
    const backend = new FaultyBackend(store)
    const logger = { warn: vi.fn() }
    const errors: string[] = []
    const load = async (id: number) => `v${id}`
    await cache(load, { namespace: 'undeletable', backend: store, l1: false, logger })(1)
    backend.fail(undefined, ['delete'])
    const reader = cache(load, {
      namespace: 'undeletable',
      backend,
      l1: false,
      logger,
      serializer: 'json',
      reliability: { breaker: false },
      observe: watching({ l2Error: (_ns, _key, operation) => errors.push(operation) }),
    })
    expect(await reader(1)).toBe('v1')
    expect(errors).toStrictEqual(['delete'])
    const failed = warnings(logger).find((w) => w.fields.event === 'corrupt-delete-failed')
    expect(failed?.fields).toMatchObject({
      namespace: 'undeletable',
      key: expect.stringMatching(/^[0-9a-f]{12}$/),
    })
    expect(failed?.message).toBe(
      `Could not delete a corrupt entry of namespace undeletable (key ${failed?.fields.key})`,
    )
    expect(reader.info()).toMatchObject({ integrityErrors: 1, l2WriteErrors: 1 })
  })
})
