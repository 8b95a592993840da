import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type Running, startExample } from '../observability/processes.js'
import { FaultProxy } from '../support/fault-proxy.js'

// examples/readiness-probe.mjs, the health() of a cache as a readiness probe, against a real Redis
// behind a fault proxy: ready, then not ready while Redis is unreachable, then ready again.

let proxy: FaultProxy
let example: Running

beforeAll(async () => {
  proxy = await FaultProxy.start(Number(new URL(inject('redisUrl')).port))
  example = await startExample('readiness-probe.mjs', { REDIS_URL: proxy.url })
}, 30_000)

afterAll(async () => {
  await example?.stop()
  await proxy?.close()
})

async function probe(path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${example.url}${path}`)
  return { status: response.status, body: await response.text() }
}

async function until(path: string, status: number, ms = 10_000): Promise<{ status: number; body: string }> {
  const deadline = performance.now() + ms
  for (;;) {
    const got = await probe(path)
    if (got.status === status || performance.now() > deadline) return got
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('a readiness probe from health()', () => {
  it('is ready with Redis up, not ready while it is unreachable, ready again after', async () => {
    const ready = await until('/readyz', 200)
    expect(ready.status).toBe(200)
    expect(JSON.parse(ready.body)).toMatchObject({
      status: 'healthy',
      backend: 'redis',
      breaker: 'closed',
      connection: 'ready',
    })
    expect((await probe('/prices/sku1')).status).toBe(200)

    proxy.reset() // every connection is reset, and every new one while it lasts
    const down = await until('/readyz', 503)
    expect(down.status).toBe(503)
    const report = JSON.parse(down.body) as { status: string; reasons: string[] }
    expect(report.status).toBe('unhealthy')
    expect(report.reasons.join(' ')).toMatch(/^Redis at \S+: not connected/)
    // Liveness does not follow the store: the process still answers, and so does the cache.
    expect((await probe('/livez')).status).toBe(200)
    expect((await probe('/prices/sku2')).status).toBe(200)

    proxy.pass()
    const back = await until('/readyz', 200)
    expect(back.status).toBe(200)
  }, 30_000)
})
