import type { EngineConfig } from './config.js'
import type { CacheInfo, CacheStats } from './stats.js'

/**
 * Counters and settings. `avgLatencyMs` is an estimate: L1 hits are timed one call in 64 (weighted
 * ×64) so the hit path reads no clock; misses, L2 reads and refreshes are each timed.
 */
export function describeCache(config: EngineConfig, stats: CacheStats, inFlight: number): CacheInfo {
  const l1 = config.l1
  return {
    namespace: config.namespace,
    backend: config.backend?.name ?? 'none',
    l2: config.backend !== null,
    ttl: config.ttl,
    serializer: config.serializer.format,
    encrypted: config.envelope.encrypted,
    l1:
      l1 === null ? null : { entries: l1.size, bytes: l1.bytes, maxBytes: l1.maxBytes, mode: config.l1Mode },
    hits: stats.hits,
    misses: stats.misses,
    l1Hits: stats.l1Hits,
    l2Hits: stats.l2Hits,
    coalesced: stats.coalesced,
    refreshes: stats.refreshes,
    bypasses: stats.bypasses,
    errors: stats.errors,
    l2ReadErrors: stats.l2ReadErrors,
    l2WriteErrors: stats.l2WriteErrors,
    decryptErrors: stats.decryptErrors,
    integrityErrors: stats.integrityErrors,
    breaker: config.reliability?.breakerState ?? null,
    l2Errors: { ...stats.l2Errors },
    l2Shed: stats.l2Shed,
    l2Rejected: stats.l2Rejected,
    undefinedResults: stats.undefinedResults,
    inFlight,
    stale: {
      served: { ...stats.staleServed },
      backgroundRefreshes: stats.backgroundRefreshes,
      backgroundRefreshFailures: stats.backgroundRefreshFailures,
    },
    lock: { ...stats.locks },
    computeTimeouts: stats.computeTimeouts,
    avgLatencyMs: stats.avgLatencyMs,
  }
}
