/**
 * Every default of the cache layer lives here, once. Code reads these tables, tests assert against them
 * and the README's tables are rendered from them (`renderDefaultsMarkdown`), so they cannot drift apart.
 */

/** The named presets: `cache` (default), `cache.minimal`, `cache.production`, ... */
export type IntentName = 'default' | 'minimal' | 'production' | 'secure' | 'dev' | 'test' | 'io' | 'local'

export interface IntentDefaults {
  /** Time to live of an entry, in seconds, in L1 and L2. */
  readonly ttl: number
  /** Whether the in-process L1 tier is used. */
  readonly l1: boolean
  /** Where the L2 backend comes from: the environment, a fresh in-process MemoryBackend, or none. */
  readonly l2: 'env' | 'memory' | 'none'
  /** Whether values are sealed with AES-256-GCM before they leave the process. */
  readonly encrypt: boolean
  /** Whether cold keys are computed once across processes (distributed single-flight through the store). */
  readonly lock: boolean
  /** One line for the README. */
  readonly purpose: string
}

export const INTENT_DEFAULTS: Readonly<Record<IntentName, IntentDefaults>> = Object.freeze({
  default: {
    ttl: 3600,
    l1: true,
    l2: 'env',
    encrypt: false,
    lock: false,
    purpose: 'General purpose; an entry never lives forever by accident',
  },
  minimal: {
    ttl: 300,
    l1: true,
    l2: 'env',
    encrypt: false,
    lock: false,
    purpose: 'Short-lived data, smallest staleness window (protocol preset)',
  },
  production: {
    ttl: 600,
    l1: true,
    l2: 'env',
    encrypt: false,
    lock: true,
    purpose: 'Shared Redis in production (protocol preset)',
  },
  secure: {
    ttl: 600,
    l1: true,
    l2: 'env',
    encrypt: true,
    lock: false,
    purpose: 'AES-256-GCM before values leave the process, fails closed (protocol preset)',
  },
  dev: {
    ttl: 60,
    l1: true,
    l2: 'env',
    encrypt: false,
    lock: false,
    purpose: 'Local development: a minute of staleness at most while code changes',
  },
  test: {
    ttl: 60,
    l1: true,
    l2: 'memory',
    encrypt: false,
    lock: false,
    purpose: 'Test suites: a private MemoryBackend per cache, never the Redis of the environment',
  },
  io: {
    ttl: 3600,
    l1: true,
    l2: 'env',
    encrypt: false,
    lock: false,
    purpose: 'Slow I/O (HTTP APIs, files) whose results change rarely (protocol preset)',
  },
  local: {
    ttl: 300,
    l1: true,
    l2: 'none',
    encrypt: false,
    lock: false,
    purpose: 'This process only: L1, no backend, works for synchronous functions too',
  },
})

/** Settings that do not depend on the intent. */
export const CACHE_DEFAULTS = Object.freeze({
  /** First segment of every key: `ck:{namespace}:{hash}`. */
  keyPrefix: 'ck',
  /** Keys longer than this many UTF-8 bytes have their variable part replaced by its hash. */
  maxKeyBytes: 250,
  /** Longest accepted namespace, in UTF-8 bytes. */
  maxNamespaceBytes: 128,
  /** Hex characters of the argument hash: blake2b-512 truncated to 32 bytes. */
  keyHashHexChars: 64,
  /** Byte budget of one L1 tier (the serialized payload sizes it holds). */
  l1MaxBytes: 64 * 1024 * 1024,
  /** `copy`: L1 holds bytes and every hit decodes a fresh value; `frozen`: one deep-frozen value. */
  l1Mode: 'copy' as 'copy' | 'frozen',
  /** Serializer used when none is given. */
  serializer: 'msgpack',
  /** Tenant used by encrypted caches when none is given (the protocol's single-tenant default). */
  tenant: 'default',
  /**
   * Encrypted caches: a failed decryption or integrity check throws (fail closed). `'miss'` recomputes.
   * Plain caches always treat a corrupt entry as a miss and delete it.
   */
  onDecryptError: 'throw' as 'throw' | 'miss',
  /** A function's `undefined` result is returned but not stored (true needs the msgpack-js serializer). */
  cacheUndefined: false as boolean,
  /**
   * Stored values of this many bytes and more are wrapped and unwrapped (LZ4, checksum, AES-GCM) on
   * the libuv thread pool instead of the event loop (benchmark/RESULTS.md: event-loop delay).
   */
  asyncEnvelopeBytes: 256 * 1024,
  /** Plain L2 reads of one turn of the event loop sent as one MGET: at most this many keys each. */
  readBatchMaxKeys: 256,
  /**
   * Stores without prefix delete: how often a process re-reads a namespace's generation, so that a
   * clear() in another process reaches it within this many milliseconds.
   */
  generationRefreshMs: 1000,
  /** Stores without prefix delete: lifetime of a namespace's generation key (re-written by clear()). */
  generationTtlSeconds: 30 * 86_400,
  /** Derived tenant key handles kept per encrypted cache. */
  tenantKeyCacheSize: 1024,
  /**
   * Each write's TTL is spread uniformly over ±this fraction, so keys written together do not
   * expire together (`ttlJitter`; whole seconds: TTLs under 5 s do not move at 10 %).
   */
  ttlJitter: 0.1,
  /** Stale-while-revalidate window past the TTL, in seconds (`staleWhileRevalidate`; 0: off). */
  staleWhileRevalidateSeconds: 0,
  /** Grace period past the TTL in which a failure is answered by the stale value, in seconds (0: off). */
  graceSeconds: 0,
  /** Fraction of the TTL left below which a hit starts a background refresh (`refreshAhead`; 0: off). */
  refreshAhead: 0,
  /** Soft timeout of the wrapped function, in milliseconds (`computeTimeout.softMs`; 0: none). */
  computeSoftTimeoutMs: 0,
  /** Hard timeout of the wrapped function, in milliseconds (`computeTimeout.hardMs`; 0: none). */
  computeHardTimeoutMs: 0,
  /** Distributed lock: lease of the process computing a cold key, in milliseconds (`lock.leaseMs`). */
  lockLeaseMs: 10_000,
  /** Distributed lock: how long other processes wait for its value before computing, in ms (`lock.waitMs`). */
  lockWaitMs: 5_000,
  /** Distributed lock: a waiter's first pause between checks, doubling up to `lockMaxRetryMs` (±50 % jitter). */
  lockRetryMs: 10,
  lockMaxRetryMs: 100,
  /**
   * Caches on a Redis store publish their changes and drop L1 copies that other processes' changes
   * made stale (`invalidationBus`; Redis pub/sub on `ck:bus`, one subscriber connection per store).
   */
  invalidationBus: true as boolean,
  /** How `clear()` empties a namespace on stores with prefix delete: `scan` (delete its keys) or `version`. */
  clearBy: 'scan' as 'scan' | 'version',
  /** Smallest TTL accepted, in seconds (Redis `SET ... EX` needs a positive integer). */
  minTtlSeconds: 1,
  /** Keys fetched per SCAN call and deleted per UNLINK call when clearing a namespace. */
  scanBatchSize: 500,
  /**
   * Deadline of every L2 operation, in milliseconds (`reliability.timeoutMs`): past it a read is a
   * miss and a write is given up. Redis: also each command's timeout, and how long the first
   * commands wait for the initial connection.
   */
  l2TimeoutMs: 200,
  /** Consecutive backend failures (timeout, connection, transient) that open the circuit breaker. */
  breakerFailureThreshold: 5,
  /** Successful probes in a row that close a half-open breaker. */
  breakerSuccessThreshold: 3,
  /** How long an open breaker skips L2 before letting a probe through, in milliseconds. */
  breakerRecoveryMs: 30_000,
  /** Operations let through at once while the breaker is half-open. */
  breakerHalfOpenProbes: 1,
  /** Backpressure: L2 operations in flight at once per store. */
  l2MaxConcurrent: 100,
  /** Backpressure: operations waiting for a slot; past it the next one is shed (a miss, a skipped write). */
  l2MaxWaiting: 1000,
  /** Backpressure: milliseconds an operation waits for a slot before it is shed. */
  l2MaxWaitMs: 100,
  /** ioredis: give up connecting after this many milliseconds. */
  redisConnectTimeoutMs: 5000,
  /**
   * ioredis: re-sends of one command after its connection dropped. 0: it fails at once (the caller
   * computes) instead of landing late, after newer writes.
   */
  redisMaxRetriesPerRequest: 0,
  /** ioredis: first reconnect delay in milliseconds; each failed attempt doubles it (with jitter). */
  redisReconnectMinMs: 50,
  /** ioredis: longest reconnect delay in milliseconds. */
  redisReconnectMaxMs: 1000,
  /** The same warning (same error code) is printed at most once per this many milliseconds per cache. */
  warnIntervalMs: 10_000,
  /**
   * Prometheus metrics: namespaces with a label of their own per registry; later ones are counted
   * under `~other`, so namespaces made from data cannot grow the registry without bound.
   */
  metricsMaxNamespaces: 100,
  /** Prometheus: bucket bounds of `cachekit_l2_operation_duration_seconds` (25 µs to 2.5 s). */
  metricsL2Buckets: Object.freeze([
    0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    2.5,
  ]) as readonly number[],
  /** Prometheus: bucket bounds of `cachekit_function_duration_seconds` (100 µs to 30 s). */
  metricsFunctionBuckets: Object.freeze([
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
  ]) as readonly number[],
  /** Prometheus: bucket bounds of `cachekit_value_size_bytes` (64 B to 16 MiB, powers of 4). */
  metricsValueSizeBuckets: Object.freeze([
    64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216,
  ]) as readonly number[],
})

function row(cells: ReadonlyArray<string | number | boolean>): string {
  return `| ${cells.map(String).join(' | ')} |`
}

/** Markdown for the README: the intents table, then the global settings table. */
export function renderDefaultsMarkdown(): string {
  const lines: string[] = []
  lines.push(row(['Intent', 'TTL (s)', 'L1', 'L2', 'Encrypted', 'Lock', 'Purpose']))
  lines.push(row(['---', '---', '---', '---', '---', '---', '---']))
  for (const [name, d] of Object.entries(INTENT_DEFAULTS)) {
    const label = name === 'default' ? '`cache`' : `\`cache.${name}\``
    const yes = (flag: boolean) => (flag ? 'yes' : 'no')
    lines.push(row([label, d.ttl, yes(d.l1), d.l2, yes(d.encrypt), yes(d.lock), d.purpose]))
  }
  lines.push('')
  lines.push(row(['Setting', 'Default']))
  lines.push(row(['---', '---']))
  for (const [name, value] of Object.entries(CACHE_DEFAULTS)) {
    lines.push(row([`\`${name}\``, `\`${String(value)}\``]))
  }
  return `${lines.join('\n')}\n`
}
