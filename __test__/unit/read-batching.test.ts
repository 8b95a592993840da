import { describe, expect, it, vi } from 'vitest'
import { MemoryBackend } from '../../src/index.js'
import { PassThroughBackend } from '../../src/reliability/compose.js'
import { ReadBatchingBackend } from '../../src/reliability/read-batching.js'

function store() {
  const memory = new MemoryBackend()
  const get = vi.spyOn(memory, 'get')
  const getMany = vi.spyOn(memory, 'getMany')
  return { memory, get, getMany }
}

describe('reads issued while others are in flight share one round trip', () => {
  it('the first read goes at once; the ones issued while it is in flight become one getMany', async () => {
    const { memory, get, getMany } = store()
    for (let i = 0; i < 10; i++) await memory.set(`k${i}`, Buffer.from(`v${i}`), 60)
    const batching = new ReadBatchingBackend(memory)
    const values = await Promise.all(Array.from({ length: 12 }, (_, i) => batching.get(`k${i}`)))
    expect(values.map((v) => v?.toString() ?? null)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `v${i}`),
      null,
      null,
    ])
    expect(get).toHaveBeenCalledOnce()
    expect(get.mock.calls[0]?.[0]).toBe('k0')
    expect(getMany).toHaveBeenCalledOnce()
    expect(getMany.mock.calls[0]?.[0]).toHaveLength(11)
  })

  it('sequential reads wait for nothing: each is a plain get, sent before the call returns', async () => {
    const { memory, get, getMany } = store()
    const batching = new ReadBatchingBackend(memory)
    for (let i = 0; i < 5; i++) {
      const pending = batching.get(`s${i}`)
      expect(get).toHaveBeenCalledTimes(i + 1)
      await pending
    }
    expect(getMany).not.toHaveBeenCalled()
  })

  it('a lone read is a plain get', async () => {
    const { memory, get, getMany } = store()
    await memory.set('only', Buffer.from('x'), 60)
    expect(String(await new ReadBatchingBackend(memory).get('only'))).toBe('x')
    expect(get).toHaveBeenCalledOnce()
    expect(getMany).not.toHaveBeenCalled()
  })

  it('batches are bounded in size', async () => {
    const { memory, getMany } = store()
    const batching = new ReadBatchingBackend(memory, 4)
    await Promise.all(Array.from({ length: 11 }, (_, i) => batching.get(`k${i}`)))
    // the first alone, then ten queued: two full batches at the bound, the last two at the turn's end
    expect(getMany.mock.calls.map(([keys]) => keys.length)).toEqual([4, 4, 2])
  })

  it('reads of the next turn form the next batch', async () => {
    const { memory, getMany } = store()
    const batching = new ReadBatchingBackend(memory)
    await Promise.all([batching.get('a'), batching.get('b'), batching.get('c')])
    await Promise.all([batching.get('d'), batching.get('e'), batching.get('f')])
    expect(getMany.mock.calls.map(([keys]) => keys)).toEqual([
      ['b', 'c'],
      ['e', 'f'],
    ])
  })

  it('a failed batch rejects every read in it with the same error', async () => {
    const { memory, getMany } = store()
    const boom = new Error('connection reset')
    getMany.mockRejectedValueOnce(boom)
    const batching = new ReadBatchingBackend(memory)
    const results = await Promise.allSettled([batching.get('a'), batching.get('b'), batching.get('c')])
    expect(results.slice(1)).toEqual([
      { status: 'rejected', reason: boom },
      { status: 'rejected', reason: boom },
    ])
  })

  it('a backend that throws instead of rejecting still reaches the callers as a rejection', async () => {
    const { memory, getMany, get } = store()
    const batching = new ReadBatchingBackend(memory)
    get.mockImplementationOnce(() => {
      throw new Error('sync throw, one key')
    })
    await expect(batching.get('lone')).rejects.toThrow('sync throw, one key')
    getMany.mockImplementationOnce(() => {
      throw new Error('sync throw')
    })
    // 'a' goes alone and is in flight; 'b' and 'c' go together, and their getMany throws
    const results = await Promise.allSettled([batching.get('a'), batching.get('b'), batching.get('c')])
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual([
      'ok',
      'sync throw',
      'sync throw',
    ])
    expect(await batching.get('d')).toBeNull()
  })

  it('reads with their TTL become one getManyWithTtl where the backend has it', async () => {
    const { memory } = store()
    const many = vi.spyOn(memory, 'getManyWithTtl')
    const one = vi.spyOn(memory, 'getWithTtl')
    await memory.set('a', Buffer.from('A'), 60)
    await memory.set('b', Buffer.from('B'), 120)
    const batching = new ReadBatchingBackend(memory)
    const [a, b, c] = await Promise.all([
      batching.getWithTtl('a'),
      batching.getWithTtl('b'),
      batching.getWithTtl('c'),
    ])
    expect(a?.value.toString()).toBe('A')
    expect(b?.value.toString()).toBe('B')
    expect(b?.ttlMs).toBeGreaterThan(60_000)
    expect(c).toBeNull()
    expect(one).toHaveBeenCalledOnce()
    expect(many).toHaveBeenCalledOnce()
    expect(many.mock.calls[0]?.[0]).toEqual(['b', 'c'])
  })

  it('reads with their TTL pass through one by one where the backend has no batch form', async () => {
    const { memory } = store()
    class WithoutBatchForm extends PassThroughBackend {
      override readonly getManyWithTtl = undefined
    }
    const plain = new WithoutBatchForm(memory)
    const one = vi.spyOn(memory, 'getWithTtl')
    const batching = new ReadBatchingBackend(plain)
    await Promise.all([batching.getWithTtl('a'), batching.getWithTtl('b')])
    expect(one).toHaveBeenCalledTimes(2)
  })

  it('passes everything else through: name, capabilities, writes', async () => {
    const { memory } = store()
    const batching = new ReadBatchingBackend(memory)
    expect(batching.name).toBe('memory')
    expect(batching.capabilities).toBe(memory.capabilities)
    await batching.set('k', Buffer.from('v'), 60)
    expect((await batching.getWithTtl('k'))?.value.toString()).toBe('v')
  })
})
