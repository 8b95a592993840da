// clear() of a namespace holding 1,000,000 entries, both ways, on a real redis-server: SCAN + UNLINK
// (clearBy: 'scan', the default) and a new namespace version (clearBy: 'version'). The entries are
// written straight to Redis under the keys the cache would use (a 100-byte value each), in
// pipelined batches. Usage: npm run build:ts && node benchmark/clear.mjs [--keys N]
import { cpus, loadavg } from 'node:os'
import Redis from 'ioredis'
import { cache, RedisBackend } from '../dist/index.js'
import { startRedis } from './redis-server.mjs'

const at = process.argv.indexOf('--keys')
const KEYS = at > 0 ? Number(process.argv[at + 1]) : 1_000_000
const redis = await startRedis()
const raw = new Redis(redis.url)
const value = Buffer.alloc(100, 7)
console.log(
  `# clear() of ${KEYS.toLocaleString('en')} entries, ${new Date().toISOString()}, ${cpus().length} x ${cpus()[0]?.model}, load ${loadavg()[0].toFixed(2)}, node ${process.version}`,
)

async function fill(keyOf) {
  for (let i = 0; i < KEYS; i += 10_000) {
    const pipeline = raw.pipeline()
    for (let j = i; j < Math.min(KEYS, i + 10_000); j++) pipeline.set(keyOf(j), value, 'EX', 3600)
    await pipeline.exec()
  }
}

console.log('| clearBy | Redis commands | clear() time | keys left in Redis right after |')
console.log('| --- | --- | --- | --- |')
for (const clearBy of ['scan', 'version']) {
  const namespace = `bench-clear-${clearBy}`
  const backend = new RedisBackend({ url: redis.url, reliability: { timeoutMs: 60_000 } })
  const get = cache(async (id) => id, { namespace, backend, clearBy, ttl: 3600 })
  await get(0) // writes the namespace's generation (version) and one real entry
  const real = (await raw.keys(`ck:${namespace}:*`))[0]
  const suffix = clearBy === 'version' ? real.slice(real.indexOf('@')) : ''
  await fill((j) => `ck:${namespace}:${String(j).padStart(64, '0')}${suffix}`)
  const before = await raw.info('commandstats')
  const started = performance.now()
  await get.clear()
  const ms = performance.now() - started
  const after = await raw.info('commandstats')
  const calls = (text, cmd) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(text)?.[1] ?? 0)
  const commands = ['scan', 'unlink', 'set']
    .map((c) => [c, calls(after, c) - calls(before, c)])
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${n} ${c.toUpperCase()}`)
    .join(', ')
  // Version mode keeps its generation key besides the entries.
  const left = (await raw.dbsize()) - (clearBy === 'version' ? 1 : 0)
  console.log(
    `| ${clearBy} | ${commands} | ${ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(2)} ms`} | ${left.toLocaleString('en')} |`,
  )
  await raw.flushall()
  await get.close()
}
raw.disconnect()
redis.stop()
