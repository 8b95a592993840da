/**
 * Interop mode against the real Python cachekit (the version scripts/setup-python.sh pins, from PyPI)
 * on one real Redis, both ways, plain and encrypted (the tenant "default", and a deployment UUID).
 * Python's side is __test__/interop/peer.py; the shapes are __test__/interop/shapes.ts. Two Python
 * processes in all: one writes every shape, the other reads back every shape Node wrote.
 *
 * A hit is proven by a reader whose function cannot return: Node's throws, Python's raises, so a value
 * that arrived came from the other SDK's entry, under a key both built byte for byte the same.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { DecryptionError } from '../../src/errors.js'
import { cache, createCache, RedisBackend } from '../../src/index.js'
import {
  type ArgumentShape,
  argumentShapes,
  jsValue,
  MARKER,
  nodeSpellings,
  typed,
  valueShapes,
} from '../interop/shapes.js'
import { interopPython, runPython } from '../support/python-venv.js'
import type { Json } from '../support/vectors.js'

const url = inject('redisUrl')
const PEER = fileURLToPath(new URL('../interop/peer.py', import.meta.url))
const MASTER_KEY = '3c'.repeat(16) + 'a5'.repeat(16)
const DEPLOYMENT_UUID = '550e8400-e29b-41d4-a716-446655440000'
/** AES-256-GCM: a 12-byte nonce before the ciphertext and a 16-byte tag after it. */
const SEALING_OVERHEAD = 12 + 16
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** How peer.py and Node configure a cache: plain, encrypted for "default", encrypted for a deployment UUID. */
const kinds = ['plain', 'encrypted', 'uuid-tenant'] as const
type Kind = (typeof kinds)[number]
const sealed = ['encrypted', 'uuid-tenant'] as const

/** Namespaces of this run, by who wrote and how. */
const namespaces = (writer: 'py' | 'js'): Record<Kind, string> => ({
  plain: `${writer}w-${process.pid}`,
  encrypted: `${writer}w-enc-${process.pid}`,
  'uuid-tenant': `${writer}w-uuid-${process.pid}`,
})
const operationOf = (shape: ArgumentShape) => `arg-${argumentShapes.indexOf(shape)}`
const markerOf = (shape: ArgumentShape) => `${MARKER}:${shape.name}`
const shapeNamed = (name: string) => argumentShapes.find((shape) => shape.name === name) as ArgumentShape

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

type PeerRead = Record<
  Kind,
  {
    values: Record<string, { hit?: Json; miss?: true }>
    arguments: Record<string, { hit?: Json; miss?: true }>
  }
>

/** One peer.py run over every shape; its result is the last line it prints. */
async function peer(command: 'write' | 'read', ns: Record<Kind, string>): Promise<Json> {
  const spec = {
    redisUrl: url,
    masterKey: MASTER_KEY,
    deploymentUuid: DEPLOYMENT_UUID,
    namespaces: ns,
    values: valueShapes.map(({ name, value }) => ({ name, value })),
    arguments: argumentShapes.map((shape) => ({
      name: shape.name,
      operation: operationOf(shape),
      args: shape.args,
      marker: markerOf(shape),
    })),
  }
  const specPath = join(workDir, `${command}.json`)
  writeFileSync(specPath, JSON.stringify(spec))
  const { stdout } = await runPython(python, [PEER, command, specPath])
  return JSON.parse(stdout.trim().split('\n').at(-1) as string)
}

/** Options for the Node twin of peer.py's decorators: same namespace, backend, TTL, key and tenant. */
function nodeOptions(kind: Kind, namespace: string) {
  const options = { namespace, backend, ttl: 60 }
  if (kind === 'plain') return options
  return { ...options, masterKey: MASTER_KEY, ...(kind === 'uuid-tenant' ? { tenant: DEPLOYMENT_UUID } : {}) }
}

function nodeCache<A extends unknown[], R>(
  kind: Kind,
  namespace: string,
  interop: string | { operation: string; arity: number },
  fn: (...args: A) => Promise<R>,
) {
  const options = { ...nodeOptions(kind, namespace), interop }
  return kind === 'plain' ? cache(fn, options) : cache.secure(fn, options)
}

/** A Node reader of one argument shape's entry: its function throws, so only a hit returns. */
function argumentReader(kind: Kind, namespace: string, shape: ArgumentShape) {
  return nodeCache(
    kind,
    namespace,
    { operation: operationOf(shape), arity: shape.args.length },
    async (...args: unknown[]): Promise<string> => {
      throw new Error(`Node ran its function for ${shape.name} (${args.length} arguments): a cache miss`)
    },
  )
}

const missingValue = async (name: string): Promise<unknown> => {
  throw new Error(`Node ran its function for value ${name}: a cache miss`)
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
async function expectSealed(plainNamespace: string, sealedNamespace: string) {
  const plain = await entries(plainNamespace)
  const sealedEntries = await entries(sealedNamespace)
  expect(plain.size).toBe(valueShapes.length + argumentShapes.length)
  expect([...sealedEntries.keys()].sort()).toEqual([...plain.keys()].sort())
  const marker = Buffer.from(MARKER)
  let plainWithMarker = 0
  for (const [suffix, bytes] of sealedEntries) {
    const twin = plain.get(suffix) as Buffer
    if (twin.includes(marker)) plainWithMarker++
    expect(bytes.length, suffix).toBe(twin.length + SEALING_OVERHEAD)
    expect(bytes.includes(marker), `${sealedNamespace}:${suffix} holds the plaintext marker`).toBe(false)
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
    for (const spelling of nodeSpellings) expect(shapeNamed(spelling.shape), spelling.shape).toBeDefined()
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
      reader ??= nodeCache(kind, ns[kind], 'value', missingValue)
      return reader(name)
    }

    it.each(valueShapes)('value $name', async (shape) => {
      expect(await readValue(shape.name)).toStrictEqual(jsValue(shape.inNode ?? shape.value))
    })

    it.each(argumentShapes)('arguments $name', async (shape) => {
      const read = argumentReader(kind, ns[kind], shape)
      expect(await read(...(shape.args.map(jsValue) as unknown[]))).toBe(markerOf(shape))
    })

    it.each(nodeSpellings)('arguments $shape, spelled in Node as $spelling', async ({ shape, args }) => {
      const read = argumentReader(kind, ns[kind], shapeNamed(shape))
      expect(await read(...args)).toBe(markerOf(shapeNamed(shape)))
    })

    it("a by-key cache's interop wrap reads every value too", async () => {
      // Its own backend: a by-key cache and cached functions may not share a namespace on one backend.
      const own = new RedisBackend({ url })
      const { backend: _, ...options } = nodeOptions(kind, ns[kind])
      const store = createCache({ ...options, backend: own })
      try {
        const read = store.wrap(missingValue, { interop: 'value' })
        for (const shape of valueShapes) {
          expect(await read(shape.name), shape.name).toStrictEqual(jsValue(shape.inNode ?? shape.value))
        }
      } finally {
        await store.close()
        await own.close()
      }
    })
  })

  it.each(sealed)('%s: no plaintext in the raw Redis bytes of an encrypted entry', async (kind) => {
    await expectSealed(ns.plain, ns[kind])
  })

  it('the deployment UUID is the tenant: Node with the tenant "default" cannot open those entries', async () => {
    const warn = vi.fn()
    const read = cache.secure(missingValue, {
      ...nodeOptions('encrypted', ns['uuid-tenant']),
      interop: 'value',
      logger: { warn, debug: () => {} },
    })
    await expect(read('str-ascii')).rejects.toThrow(DecryptionError)
    expect(JSON.stringify(warn.mock.calls)).toContain('AUTHENTICATION_FAILED')
  })
})

describe('Node writes through interop mode, Python reads without running its function', () => {
  const ns = namespaces('js')
  let read: PeerRead
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
      for (const shape of argumentShapes) {
        const write = nodeCache(
          kind,
          ns[kind],
          { operation: operationOf(shape), arity: shape.args.length },
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
    expect(nodeRuns).toBe(kinds.length * (valueShapes.length + argumentShapes.length))
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

  it.each(sealed)('%s: no plaintext in the raw Redis bytes of an encrypted entry', async (kind) => {
    await expectSealed(ns.plain, ns[kind])
  })
})
