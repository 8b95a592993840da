/**
 * Interop mode against the real Python cachekit (the version scripts/setup-python.sh pins, from PyPI)
 * on one real Redis, both ways, plain and encrypted. Python's side is __test__/interop/peer.py; the
 * shapes are __test__/interop/shapes.ts. Two Python processes in all: one writes every shape, the
 * other reads back every shape Node wrote.
 *
 * A hit is proven by a reader whose function cannot return: Node's throws, Python's raises, so a value
 * that arrived came from the other SDK's entry, under a key both built byte for byte the same.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { cache, RedisBackend } from '../../src/index.js'
import { type ArgumentShape, argumentShapes, jsValue, MARKER, typed, valueShapes } from '../interop/shapes.js'
import { interopPython, runPython } from '../support/python-venv.js'
import type { Json } from '../support/vectors.js'

const url = inject('redisUrl')
const PEER = fileURLToPath(new URL('../interop/peer.py', import.meta.url))
const MASTER_KEY = '3c'.repeat(16) + 'a5'.repeat(16)
/** AES-256-GCM: a 12-byte nonce before the ciphertext and a 16-byte tag after it. */
const SEALING_OVERHEAD = 12 + 16
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const kinds = ['plain', 'encrypted'] as const
type Kind = (typeof kinds)[number]

/** Namespaces of this run: who wrote, plain or encrypted. */
const namespaces = (writer: 'py' | 'js'): Record<Kind, string> => ({
  plain: `${writer}w-${process.pid}`,
  encrypted: `${writer}w-enc-${process.pid}`,
})
const operationOf = (index: number) => `arg-${index}`
const markerOf = (shape: ArgumentShape) => `${MARKER}:${shape.name}`

let python: string
let raw: Redis
let backend: RedisBackend
let workDir: string

beforeAll(() => {
  python = interopPython()
  raw = new Redis(url)
  backend = new RedisBackend({ url })
  workDir = mkdtempSync(join(tmpdir(), 'cachekit-interop-'))
})

afterAll(async () => {
  await backend.close()
  raw.disconnect()
  rmSync(workDir, { recursive: true, force: true })
})

interface PeerRead {
  values: Record<string, { hit?: Json; miss?: true }>
  arguments: Record<string, { hit?: Json; miss?: true }>
}

/** One peer.py run over every shape; its result is the last line it prints. */
async function peer(command: 'write' | 'read', ns: Record<Kind, string>): Promise<Json> {
  const spec = {
    redisUrl: url,
    masterKey: MASTER_KEY,
    plain: ns.plain,
    encrypted: ns.encrypted,
    values: valueShapes.map(({ name, value }) => ({ name, value })),
    arguments: argumentShapes.map((shape, i) => ({
      name: shape.name,
      operation: operationOf(i),
      args: shape.args,
      marker: markerOf(shape),
    })),
  }
  const specPath = join(workDir, `${command}.json`)
  writeFileSync(specPath, JSON.stringify(spec))
  const { stdout } = await runPython(python, [PEER, command, specPath])
  return JSON.parse(stdout.trim().split('\n').at(-1) as string)
}

/** The Node twin of peer.py's decorators: same namespace, operation, backend, TTL and master key. */
function nodeCache<A extends unknown[], R>(
  kind: Kind,
  namespace: string,
  interop: string | { operation: string; arity: number },
  fn: (...args: A) => Promise<R>,
) {
  const options = { namespace, interop, backend, ttl: 60 }
  return kind === 'encrypted' ? cache.secure(fn, { ...options, masterKey: MASTER_KEY }) : cache(fn, options)
}

/** A Node reader for one argument shape: its function throws, so only a cache hit returns. */
function argumentReader(kind: Kind, namespace: string, index: number, shape: ArgumentShape) {
  return nodeCache(
    kind,
    namespace,
    { operation: operationOf(index), arity: shape.args.length },
    async (...args: unknown[]): Promise<string> => {
      throw new Error(`Node ran its function for ${shape.name} (${args.length} arguments): a cache miss`)
    },
  )
}

/** Every entry under a namespace, by the part of its key after the namespace (`{operation}:{hash}`). */
async function entries(namespace: string): Promise<Map<string, Buffer>> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await raw.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000)
    cursor = next
    keys.push(...batch)
  } while (cursor !== '0')
  const out = new Map<string, Buffer>()
  for (const key of keys) {
    const bytes = await raw.getBuffer(key)
    if (bytes !== null) out.set(key.slice(namespace.length + 1), bytes)
  }
  return out
}

/**
 * The encrypted entries are the plain ones sealed: one for each, under the same `{operation}:{hash}`,
 * exactly 28 bytes longer, and none holds the marker that the plaintext of many of them carries, nor
 * the bytes of its plain twin.
 */
async function expectSealed(ns: Record<Kind, string>) {
  const plain = await entries(ns.plain)
  const sealed = await entries(ns.encrypted)
  expect(plain.size).toBe(valueShapes.length + argumentShapes.length)
  expect([...sealed.keys()].sort()).toEqual([...plain.keys()].sort())
  const marker = Buffer.from(MARKER)
  let plainWithMarker = 0
  for (const [suffix, bytes] of sealed) {
    const twin = plain.get(suffix) as Buffer
    if (twin.includes(marker)) plainWithMarker++
    expect(bytes.length, suffix).toBe(twin.length + SEALING_OVERHEAD)
    expect(bytes.includes(marker), `${ns.encrypted}:${suffix} holds the plaintext marker`).toBe(false)
    if (twin.length >= 16) expect(bytes.includes(twin), `${suffix} holds its plaintext`).toBe(false)
  }
  // The marker check means something: every argument entry and two value entries carry it.
  expect(plainWithMarker).toBe(argumentShapes.length + 2)
}

describe('the shapes', () => {
  it('cover at least 30 values and 20 argument lists, each named once', () => {
    expect(valueShapes.length).toBeGreaterThanOrEqual(30)
    expect(argumentShapes.length).toBeGreaterThanOrEqual(20)
    expect(new Set(valueShapes.map((s) => s.name)).size).toBe(valueShapes.length)
    expect(new Set(argumentShapes.map((s) => s.name)).size).toBe(argumentShapes.length)
  })

  it('tag an integer $int only beyond 2^53 - 1, and write every other number as a JSON integer', () => {
    const numbers: Json[] = []
    const visit = (tagged: Json): void => {
      if (typeof tagged === 'number') numbers.push(tagged)
      else if (Array.isArray(tagged)) tagged.forEach(visit)
      else if (tagged !== null && typeof tagged === 'object') {
        if (Object.keys(tagged).length === 1 && '$int' in tagged) numbers.push(BigInt(tagged.$int))
        else Object.values(tagged).forEach(visit)
      }
    }
    for (const shape of valueShapes) visit([shape.value, shape.inNode ?? null, shape.inPython ?? null])
    for (const shape of argumentShapes) visit(shape.args)
    const wellTagged = (n: number | bigint) =>
      typeof n === 'number' ? Number.isSafeInteger(n) : n < -MAX_SAFE || n > MAX_SAFE
    expect(numbers.filter((n) => !wellTagged(n))).toEqual([])
    expect(numbers.filter((n) => typeof n === 'bigint').length).toBeGreaterThan(10)
  })
})

describe('Python writes through its interop decorators, Node reads without running its function', () => {
  const ns = namespaces('py')

  beforeAll(async () => {
    const result = await peer('write', ns)
    expect(result).toEqual({ written: valueShapes.length + argumentShapes.length })
  })

  describe.each(kinds)('%s', (kind) => {
    // Made at the first test, once the backend exists; one reader for every value, as a service has.
    let reader: ((name: string) => Promise<unknown>) | undefined
    const readValue = (name: string) => {
      reader ??= nodeCache(kind, ns[kind], 'value', async (name: string): Promise<unknown> => {
        throw new Error(`Node ran its function for value ${name}: a cache miss`)
      })
      return reader(name)
    }

    it.each(valueShapes)('value $name', async (shape) => {
      expect(await readValue(shape.name)).toStrictEqual(jsValue(shape.inNode ?? shape.value))
    })

    it.each(argumentShapes.map((shape, index) => ({ ...shape, index })))(
      'arguments $name',
      async ({ index, ...shape }) => {
        const read = argumentReader(kind, ns[kind], index, shape)
        expect(await read(...(shape.args.map(jsValue) as unknown[]))).toBe(markerOf(shape))
      },
    )
  })

  it('stores ciphertext only: no plaintext in the raw Redis bytes of an encrypted entry', async () => {
    await expectSealed(ns)
  })
})

describe('Node writes through interop mode, Python reads without running its function', () => {
  const ns = namespaces('js')
  let read: Record<Kind, PeerRead>
  let nodeRuns = 0

  beforeAll(async () => {
    for (const kind of kinds) {
      const writeValue = nodeCache(kind, ns[kind], 'value', async (name: string): Promise<unknown> => {
        nodeRuns++
        const shape = valueShapes.find((s) => s.name === name)
        if (shape === undefined) throw new Error(`no value shape ${name}`)
        return jsValue(shape.inNode ?? shape.value)
      })
      for (const shape of valueShapes) await writeValue(shape.name)
      for (const [index, shape] of argumentShapes.entries()) {
        const write = nodeCache(
          kind,
          ns[kind],
          { operation: operationOf(index), arity: shape.args.length },
          async (..._args: unknown[]): Promise<string> => {
            nodeRuns++
            return markerOf(shape)
          },
        )
        await write(...(shape.args.map(jsValue) as unknown[]))
      }
    }
    read = await peer('read', ns)
  })

  it('Node ran each of its functions once, storing every shape', () => {
    expect(nodeRuns).toBe(2 * (valueShapes.length + argumentShapes.length))
  })

  describe.each(kinds)('%s', (kind) => {
    it.each(valueShapes)('value $name', (shape) => {
      const got = read[kind].values[shape.name]
      expect(got, 'Python ran its function: a cache miss').toHaveProperty('hit')
      expect(typed(got?.hit)).toEqual(typed(shape.inPython ?? shape.value))
    })

    it.each(argumentShapes)('arguments $name', (shape) => {
      expect(read[kind].arguments[shape.name]).toEqual({ hit: markerOf(shape) })
    })
  })

  it('stores ciphertext only: no plaintext in the raw Redis bytes of an encrypted entry', async () => {
    await expectSealed(ns)
  })
})
