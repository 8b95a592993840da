// A small service with a cached lookup and its Prometheus metrics, for the dashboard in
// docs/grafana/cachekit.json:
//   GET /users/:id      a cached function (L1 + Redis)
//   GET /sessions/:id   a by-key cache: read, and written on a miss
//   GET /tokens/:id     the same, encrypted (CACHEKIT_MASTER_KEY, or a key made at start for the demo)
//   GET /metrics        the registry, in Prometheus' text format
//   GET /healthz        the cache's health() as JSON (503 when unhealthy)
// Usage: npm run build:ts && REDIS_URL=redis://127.0.0.1:6379 node examples/metrics-server.mjs
// PORT (default 9464; 0 picks a free one) and HOST (default 127.0.0.1). Prints the address it listens on.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { cache, createCache, prometheusMetrics, RedisBackend } from '../dist/index.js'

const registry = new Registry()
collectDefaultMetrics({ register: registry })
// One set of cachekit metrics per registry: every cache below reports into it.
const metrics = prometheusMetrics({ registry })
const backend = new RedisBackend({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })

const getUser = cache(
  async (id) => {
    await new Promise((resolve) => setTimeout(resolve, 3)) // stands in for a database query
    return { id, name: `user ${id}` }
  },
  { namespace: 'example.users', ttl: 30, backend, observe: metrics },
)
const sessions = createCache({ namespace: 'example.sessions', ttl: 60, backend, observe: metrics })
const tokens = createCache({
  namespace: 'example.tokens',
  ttl: 60,
  backend,
  observe: metrics,
  masterKey: process.env.CACHEKIT_MASTER_KEY ?? randomBytes(32).toString('hex'),
  onDecryptError: 'miss', // an entry sealed with another key is counted, logged and replaced
})

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type })
  res.end(typeof body === 'string' ? body : JSON.stringify(body))
}

/** A by-key read; on a miss the entry is created and written (a failed write is counted and logged). */
async function readOrCreate(store, id) {
  const found = await store.get(id)
  if (found !== undefined) return [200, found]
  const created = { id, startedAt: Date.now() }
  await store.set(id, created).catch(() => {})
  return [201, created]
}

const routes = [
  [/^\/users\/(\w+)$/, async ([, id]) => [200, await getUser(id)]],
  [/^\/sessions\/(\w+)$/, ([, id]) => readOrCreate(sessions, id)],
  [/^\/tokens\/(\w+)$/, ([, id]) => readOrCreate(tokens, id)],
  [/^\/metrics$/, async () => [200, await registry.metrics(), registry.contentType]],
  [
    /^\/healthz$/,
    async () => {
      const report = await getUser.health()
      return [report.status === 'unhealthy' ? 503 : 200, report]
    },
  ],
]

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  for (const [pattern, handle] of routes) {
    const match = pattern.exec(path)
    if (match === null) continue
    try {
      const [status, body, type] = await handle(match)
      send(res, status, body, type)
    } catch (err) {
      send(res, 500, { error: err instanceof Error ? err.message : String(err) })
    }
    return
  }
  send(res, 404, { error: `no route for ${path}` })
})

async function shutdown() {
  server.close()
  await Promise.all([getUser.close(), sessions.close(), tokens.close()])
}
process.once('SIGTERM', shutdown)
process.once('SIGINT', shutdown)

server.listen(Number(process.env.PORT ?? 9464), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address()
  console.log(`listening on http://${address}:${port}`)
})
