import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createCache, RedisBackend } from '../../src/index.js'
import { keyFromUserKey } from '../../src/keys/index.js'
import { query, type Running, root, startExample, startPrometheus } from '../observability/processes.js'
import { FaultProxy } from '../support/fault-proxy.js'

// A real Prometheus scrapes examples/metrics-server.mjs (against a real Redis behind a fault proxy)
// while traffic runs: hits, misses, a Redis stall (timeouts, the breaker opening, refused
// operations), a corrupt entry and one sealed with another key. Then every PromQL expression of
// the Grafana dashboard must return data through Prometheus' query API.

interface Panel {
  title?: string
  targets?: Array<{ expr: string }>
}

const dashboard = JSON.parse(readFileSync(join(root, 'docs', 'grafana', 'cachekit.json'), 'utf8')) as {
  panels: Panel[]
  templating: { list: Array<{ name: string; query?: unknown }> }
}

/** Grafana's variables as a query for the whole range would be sent: every namespace, a 1 min window. */
function asPromQL(expr: string): string {
  const resolved = expr.replaceAll('$__rate_interval', '1m').replaceAll('$namespace', '.*')
  const unknown = /\$[\w{]+/.exec(resolved)
  if (unknown !== null)
    throw new Error(`the dashboard uses ${unknown[0]}, which this test does not resolve: ${expr}`)
  return resolved
}

const expressions = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel: panel.title ?? '?', expr: target.expr })),
)

const redisUrl = inject('redisUrl')
let proxy: FaultProxy
let example: Running
let prometheus: Running
const redis = new Redis(redisUrl, { lazyConnect: true })

beforeAll(async () => {
  proxy = await FaultProxy.start(Number(new URL(redisUrl).port))
  example = await startExample('metrics-server.mjs', { REDIS_URL: proxy.url })
  prometheus = await startPrometheus([new URL(example.url).host])
  await redis.connect()
}, 30_000)

afterAll(async () => {
  await prometheus?.stop()
  await example?.stop()
  await proxy?.close()
  redis.disconnect()
})

const get = (path: string) => fetch(`${example.url}${path}`).then((r) => r.status)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(done: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms
  while (!(await done())) {
    if (performance.now() > deadline)
      throw new Error(`Prometheus did not show ${what} within ${ms} ms:\n${prometheus.output()}`)
    await sleep(200)
  }
}

describe('the Grafana dashboard against a real Prometheus scraping the example', () => {
  it('has the panels the issue asks for, each with a query', () => {
    const titles = dashboard.panels.map((p) => p.title)
    for (const wanted of [
      'Hit ratio per namespace',
      'L2 command latency p50 / p99',
      'L2 errors by kind',
      'Circuit breaker state',
      'Shed and refused L2 operations',
    ]) {
      expect(titles).toContain(wanted)
    }
    expect(expressions.length).toBeGreaterThanOrEqual(15)
  })

  it('every PromQL expression of the dashboard returns data', async () => {
    // One call per cache makes its series (at 0); a rate counts increases between scrapes, so the
    // traffic starts once Prometheus has scraped them.
    for (const path of ['/users/warm', '/sessions/warm', '/tokens/warm'])
      expect(await get(path)).toBeLessThan(300)
    await until(
      async () => (await query(prometheus.url, 'cachekit_operations_total')).length >= 9,
      'the first scrape',
    )
    // Normal traffic: misses, then hits of L1 (repeats).
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => get(`/users/${i}`)))
      await Promise.all(Array.from({ length: 10 }, (_, i) => get(`/sessions/s${i}`)))
      await Promise.all(Array.from({ length: 5 }, (_, i) => get(`/tokens/t${i}`)))
      await sleep(300)
    }
    // A corrupt entry (integrity) and one sealed with another master key (decryption), as another
    // process could leave them.
    await redis.set(keyFromUserKey('example.sessions', 'corrupt'), Buffer.from('not an envelope'))
    const intruder = createCache({
      namespace: 'example.tokens',
      backend: new RedisBackend({ url: redisUrl }),
      masterKey: 'ee'.repeat(32),
    })
    await intruder.set('foreign', { id: 'foreign' })
    await intruder.close()
    expect(await get('/sessions/corrupt')).toBe(201)
    expect(await get('/tokens/foreign')).toBe(201)
    // Redis stalls: reads time out (200 ms), five in a row open the breaker, later ones are refused.
    proxy.stall()
    await Promise.all(Array.from({ length: 30 }, (_, i) => get(`/users/stalled${i}`)))
    await Promise.all(Array.from({ length: 10 }, (_, i) => get(`/users/refused${i}`)))
    proxy.pass()

    // Wait until Prometheus has what the dashboard shows (rates need two scrapes of a series).
    const missing = async () => {
      const empty: string[] = []
      for (const { panel, expr } of expressions) {
        const result = await query(prometheus.url, asPromQL(expr))
        const numbers = result.filter((r) => Number.isFinite(Number(r.value[1])))
        if (numbers.length === 0) empty.push(`${panel}: ${expr} -> ${JSON.stringify(result)}`)
      }
      return empty
    }
    let empty = await missing()
    const deadline = performance.now() + 15_000
    while (empty.length > 0 && performance.now() < deadline) {
      await sleep(500)
      empty = await missing()
    }
    expect(empty, `dashboard queries without data\n${example.output()}`).toEqual([])
  }, 60_000)

  it('the data is what the traffic made: ratios within [0, 1], the breaker opened, timeouts counted', async () => {
    const ratio = await query(
      prometheus.url,
      asPromQL(expressions.find((e) => e.panel === 'Hit ratio per namespace')?.expr ?? ''),
    )
    const users = ratio.find((r) => r.metric.namespace === 'example.users')
    expect(Number(users?.value[1])).toBeGreaterThan(0)
    expect(Number(users?.value[1])).toBeLessThan(1)
    const opened = await query(prometheus.url, 'cachekit_breaker_transitions_total{to="open"}')
    expect(Number(opened[0]?.value[1])).toBeGreaterThanOrEqual(1)
    const timeouts = await query(prometheus.url, 'sum(cachekit_l2_errors_total{kind="timeout"})')
    expect(Number(timeouts[0]?.value[1])).toBeGreaterThanOrEqual(5)
    const rejected = await query(prometheus.url, 'sum(cachekit_operations_total{result="rejected"})')
    expect(Number(rejected[0]?.value[1])).toBeGreaterThanOrEqual(1)
    // The namespace variable's values: label_values(cachekit_operations_total, namespace).
    const response = await fetch(
      `${prometheus.url}/api/v1/label/namespace/values?match[]=cachekit_operations_total`,
    )
    const names = ((await response.json()) as { data: string[] }).data
    expect(names.sort()).toEqual(['example.sessions', 'example.tokens', 'example.users'])
  })
})
