// Liveness and readiness endpoints from health(), for a Kubernetes-style probe:
//   GET /livez    200 while the process serves requests (a cache never makes it fail: calls run
//                 without L2 when the store is down)
//   GET /readyz   200 when the cache is healthy or degraded, 503 when unhealthy, with the report
// Usage: npm run build:ts && REDIS_URL=redis://127.0.0.1:6379 node examples/readiness-probe.mjs
// PORT (default 8080; 0 picks a free one) and HOST (default 127.0.0.1).
//
// Whether an unhealthy cache should take the instance out of rotation is the service's choice: a
// cache that runs without L2 still answers (every call runs the function), so readiness that
// follows the cache suits services whose backing system cannot take the uncached load.
import { createServer } from 'node:http'
import { cache, RedisBackend } from '../dist/index.js'

const backend = new RedisBackend({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' })
const getPrice = cache(async (sku) => ({ sku, cents: 1999 }), { namespace: 'example.prices', backend })

// health() sends a PING within the L2 deadline: cheap, but not free; a probe every few seconds is
// plenty, and concurrent probes share one check.
let pending
function health() {
  pending ??= getPrice.health().finally(() => {
    pending = undefined
  })
  return pending
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  if (path === '/livez') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n')
    return
  }
  if (path === '/readyz') {
    const report = await health()
    // { status, reasons, latencyMs, connection, backend, breaker }
    res.writeHead(report.status === 'unhealthy' ? 503 : 200, { 'content-type': 'application/json' })
    res.end(`${JSON.stringify(report)}\n`)
    return
  }
  if (path.startsWith('/prices/')) {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(await getPrice(path.slice('/prices/'.length))))
    return
  }
  res.writeHead(404).end()
})

process.once('SIGTERM', () => {
  server.close()
  void getPrice.close()
})

server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address()
  console.log(`listening on http://${address}:${port}`)
})
