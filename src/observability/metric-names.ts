/**
 * Every Prometheus metric this package exports: name, type, labels and meaning, in one table (the
 * metrics are built from it, and docs/observability.md is checked against it). Names follow the
 * Prometheus conventions: `cachekit_` prefix, base units (`_seconds`, `_bytes`), `_total` counters.
 */
export interface MetricSpec {
  readonly name: string
  readonly type: 'counter' | 'gauge' | 'histogram'
  readonly labels: readonly string[]
  readonly help: string
}

function spec(name: string, type: MetricSpec['type'], labels: readonly string[], help: string): MetricSpec {
  return Object.freeze({ name, type, labels: Object.freeze([...labels]), help })
}

export const METRICS = Object.freeze({
  operations: spec(
    'cachekit_operations_total',
    'counter',
    ['namespace', 'operation', 'tier', 'result'],
    'Cache operations by tier and result: get hits per tier, misses (the function ran), and L2 operations that failed (error), were shed by backpressure (shed) or refused by the open circuit breaker (rejected)',
  ),
  coalesced: spec(
    'cachekit_coalesced_total',
    'counter',
    ['namespace'],
    'Calls that joined a computation or read already in flight for their key (single-flight)',
  ),
  l2Errors: spec(
    'cachekit_l2_errors_total',
    'counter',
    ['namespace', 'operation', 'kind'],
    'Failed L2 operations of a cache by BackendError kind (shed and breaker refusals too, as in info().l2Errors); operation is read, write or delete',
  ),
  integrityFailures: spec(
    'cachekit_integrity_failures_total',
    'counter',
    ['namespace', 'tier', 'reason'],
    'Stored entries refused by an integrity, bounds or format check (reason: the error code, lower case)',
  ),
  decryptFailures: spec(
    'cachekit_decrypt_failures_total',
    'counter',
    ['namespace', 'tier', 'reason'],
    'Stored entries that failed decryption or authentication (reason: the error code, lower case)',
  ),
  functionDuration: spec(
    'cachekit_function_duration_seconds',
    'histogram',
    ['namespace', 'outcome'],
    'Duration of the wrapped function on a miss or refresh (outcome ok, or error when it threw)',
  ),
  valueSize: spec(
    'cachekit_value_size_bytes',
    'histogram',
    ['namespace'],
    'Serialized size of each value stored (before compression and encryption)',
  ),
  undefinedResults: spec(
    'cachekit_undefined_results_total',
    'counter',
    ['namespace'],
    'Calls whose function returned undefined, which is returned and not stored',
  ),
  refreshes: spec(
    'cachekit_refreshes_total',
    'counter',
    ['namespace'],
    'refresh() calls (the function ran regardless of the cache)',
  ),
  bypasses: spec(
    'cachekit_bypasses_total',
    'counter',
    ['namespace'],
    'bypass() calls (neither read nor written)',
  ),
  invalidations: spec(
    'cachekit_invalidations_total',
    'counter',
    ['namespace', 'scope'],
    'Entries invalidated one by one (scope key) and clear() calls (scope prefix)',
  ),
  stale: spec(
    'cachekit_stale_served_total',
    'counter',
    ['namespace', 'reason'],
    'Values served past their fresh TTL (reason swr, grace-error, grace-backend, soft-timeout)',
  ),
  backgroundRefreshes: spec(
    'cachekit_background_refreshes_total',
    'counter',
    ['namespace', 'outcome'],
    'Background recomputations (stale-while-revalidate, refresh-ahead) by outcome (ok, error)',
  ),
  lock: spec(
    'cachekit_lock_outcomes_total',
    'counter',
    ['namespace', 'outcome'],
    'Distributed locks of cold keys: acquired (this process computed), waited (another did), fell_through (computed anyway after waiting)',
  ),
  l1Entries: spec('cachekit_l1_entries', 'gauge', ['namespace'], 'Entries in L1, read on scrape'),
  l1Bytes: spec('cachekit_l1_bytes', 'gauge', ['namespace'], 'Payload bytes held in L1, read on scrape'),
  l1MaxBytes: spec('cachekit_l1_max_bytes', 'gauge', ['namespace'], 'Byte budget of L1 (l1.maxBytes)'),
  l2Duration: spec(
    'cachekit_l2_operation_duration_seconds',
    'histogram',
    ['backend', 'operation'],
    'Duration of each L2 store command, failures included (a timeout counts at its deadline); operation is the Backend method',
  ),
  breakerState: spec(
    'cachekit_breaker_state',
    'gauge',
    ['backend', 'state'],
    'Circuit breakers of this backend in each state (closed, open, half-open): 1 for the current state of a single store, read on scrape',
  ),
  breakerTransitions: spec(
    'cachekit_breaker_transitions_total',
    'counter',
    ['backend', 'to'],
    'Changes of state of the circuit breaker, by the state entered',
  ),
  shed: spec(
    'cachekit_l2_shed_total',
    'counter',
    ['backend'],
    'Store commands shed by backpressure (never sent: a read is a miss, a write is skipped)',
  ),
  inFlight: spec(
    'cachekit_l2_in_flight',
    'gauge',
    ['backend'],
    'Store commands in flight (backpressure slots taken), read on scrape',
  ),
  waiting: spec(
    'cachekit_l2_waiting',
    'gauge',
    ['backend'],
    'Store commands waiting for a backpressure slot, read on scrape',
  ),
} satisfies Record<string, MetricSpec>)
