import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { cache, RedisBackend } from '../../src/index.js'

// These tests run a second Node process that imports the BUILT package: run `npm run build:ts` first
// (CI does), or point CACHEKIT_ENTRY at another build of the package entry.
const child = fileURLToPath(new URL('./fixtures/child.mjs', import.meta.url))
const entry = process.env.CACHEKIT_ENTRY ?? fileURLToPath(new URL('../../dist/index.js', import.meta.url))
const url = inject('redisUrl')

interface Run {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

function run(mode: string, namespace: string, timeoutMs = 10_000): Promise<Run> {
  const started = Date.now()
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--unhandled-rejections=strict', child, mode, namespace],
      { timeout: timeoutMs, env: { ...process.env, CACHEKIT_REDIS_URL: url, REDIS_URL: '' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
        resolve({ code, stdout, stderr, ms: Date.now() - started })
      },
    )
  })
}

/** The child's result: the last line of its output (earlier lines are the library's own). */
function lastLine(result: Run) {
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string)
}

let raw: Redis
let backend: RedisBackend

beforeAll(() => {
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: run \`npm run build:ts\` before the integration tests`)
  }
  raw = new Redis(url)
  backend = new RedisBackend({ url })
})

afterAll(async () => {
  await backend.close()
  raw.disconnect()
})

describe('two OS processes sharing one Redis', () => {
  it("the second process's first call is an L2 hit", async () => {
    const namespace = `procs.read.${process.pid}`
    const get = cache(async (id: number) => ({ id, by: 'parent' }), { namespace, backend })
    expect(await get(1)).toEqual({ id: 1, by: 'parent' })
    const result = await run('read', namespace)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const { value, info } = lastLine(result)
    expect(value).toEqual({ id: 1, by: 'parent' })
    // The child says once which L2 the environment selected.
    expect(
      result.stdout.match(
        /\[cachekit\] L2 backend: Redis at redis:\/\/127\.0\.0\.1:\d+, from CACHEKIT_REDIS_URL/g,
      ),
    ).toHaveLength(1)
    expect(info).toMatchObject({ backend: 'redis', l2Hits: 1, misses: 0 })
  })

  it('clear() removes the keys another process wrote', async () => {
    const namespace = `procs.clear.${process.pid}`
    const result = await run('write', namespace)
    expect(result.code).toBe(0)
    const { keys } = lastLine(result) as { keys: string[] }
    expect(await raw.exists(...keys)).toBe(5)
    const get = cache(async (id: number) => id, { namespace, backend })
    expect(get.key(100)).toBe(keys[0])
    expect(await get.clear()).toBe(5)
    expect(await raw.exists(...keys)).toBe(0)
  })

  it('a process exits by itself after close()', async () => {
    const result = await run('close', `procs.close.${process.pid}`, 8000)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(lastLine(result)).toEqual({ value: { ok: true }, backend: 'redis' })
    expect(result.ms).toBeLessThan(5000)
  })
})
