// Miss and hit timings of a cached function: on this process's memory (always), and on Redis when
// REDIS_URL is set. Run `npm run build:ts` first: this imports the built package from dist/.
import { cache, closeAll, RedisBackend } from '../dist/index.js'

async function slowSquare(n) {
  await new Promise((resolve) => setTimeout(resolve, 50)) // stands in for a database or an HTTP call
  return { n, square: n * n, at: new Date().toISOString() }
}

async function timed(label, call) {
  const started = performance.now()
  const value = await call()
  console.log(
    `${label.padEnd(28)} ${(performance.now() - started).toFixed(3).padStart(9)} ms  ${JSON.stringify(value)}`,
  )
  return value
}

async function demo(title, options) {
  const square = cache(slowSquare, { namespace: 'demo.square', ttl: 60, ...options })
  await square.invalidate(12) // start from a miss even if an earlier run left the entry
  console.log(`\n${title}`)
  await timed('miss (runs the function)', () => square(12))
  await timed('hit (L1)', () => square(12))
  await timed('hit (L1) again', () => square(12))
  const { hits, misses, l1Hits, l2Hits, backend, avgLatencyMs } = square.info()
  console.log('info():', {
    backend,
    hits,
    misses,
    l1Hits,
    l2Hits,
    avgLatencyMs: Number(avgLatencyMs.toFixed(3)),
  })
  return square
}

await demo('memory (L1 only, this process)', { backend: null })

if (process.env.REDIS_URL) {
  const backend = new RedisBackend({ url: process.env.REDIS_URL })
  const square = await demo(`redis (${process.env.REDIS_URL.replace(/\/\/[^@/]*@/, '//***@')})`, { backend })
  // A second cache with its own empty L1 shows the L2 hit another process would get.
  const reader = cache(slowSquare, { namespace: 'demo.square', ttl: 60, backend })
  await timed('hit (L2, fresh L1)', () => reader(12))
  await square.clear()
  await backend.close()
} else {
  console.log('\nSet REDIS_URL=redis://127.0.0.1:6379 to run the Redis part too.')
}
await closeAll()
