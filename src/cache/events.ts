/**
 * What a cache reports as it works. Statistics are one observer; metrics, tracing and the
 * invalidation bus are others. An observer implements the methods it cares about.
 *
 * L1 hits are the exception that proves the rule: the hit path moves one counter itself and calls
 * `l1Hit` only when an observer that has it is attached (a call per hit costs as much as the rest of
 * a frozen hit).
 */
export type Tier = 'l1' | 'l2'

/** Why a stored entry was refused: the error code (`CHECKSUM_MISMATCH`, `AUTHENTICATION_FAILED`, ...). */
export interface Refusal {
  readonly code: string
  readonly decryption: boolean
}

export interface CacheObserver {
  l1Hit?(namespace: string, key: string): void
  /**
   * With `l1Hit`: read on every L1 hit to decide whether to report it (a diagnostics channel, whose
   * `hasSubscribers` is a property read). An observer attached for good then costs a hit that read,
   * not a call, while nobody listens.
   */
  readonly l1HitWhen?: { readonly hasSubscribers: boolean }
  l2Hit?(namespace: string, key: string): void
  /** A caller joined a computation or read already in flight for its key (single-flight). */
  joined?(namespace: string, key: string): void
  /** Neither tier had the key (or the entry was refused): the function runs. */
  miss?(namespace: string, key: string): void
  refresh?(namespace: string, key: string): void
  bypass?(namespace: string): void
  /** The function returned `undefined`, which is not stored. */
  undefinedResult?(namespace: string, key: string): void
  /** L2 now holds a new value for the key (after the store confirmed the write). */
  stored?(namespace: string, key: string): void
  /** A value was stored: `bytes` is the payload size. */
  write?(namespace: string, key: string, bytes: number): void
  /** A backend operation failed (the policy that follows is the caller's). */
  l2Error?(namespace: string, key: string, operation: 'read' | 'write' | 'delete', error: unknown): void
  /** A stored entry failed its checks (integrity, decryption, bounds, format). */
  refused?(namespace: string, key: string, refusal: Refusal): void
  invalidate?(namespace: string, key: string): void
  clear?(namespace: string, prefixes: readonly string[]): void
  /** The wrapped function settled after `ms` milliseconds (`ok` false: it threw or rejected). */
  computed?(namespace: string, key: string, ms: number, ok: boolean): void
  /** A value past its fresh TTL was served instead of waiting or failing (see StaleReason). */
  stale?(namespace: string, key: string, reason: StaleReason): void
  /** A background recomputation (stale-while-revalidate, refresh-ahead) ended. */
  backgroundRefresh?(namespace: string, key: string, ok: boolean): void
  /** A call failed because the function ran past its hard timeout (it goes on in the background). */
  computeTimeout?(namespace: string, key: string): void
  /** The distributed lock of a cold key: taken, waited for (another process computed), or given up on. */
  lock?(namespace: string, key: string, outcome: LockOutcome): void
}

/**
 * Why a stale value was served: within the stale-while-revalidate window (`swr`), because the
 * function failed (`grace-error`) or the store did (`grace-backend`), or because the function ran
 * past its soft timeout (`soft-timeout`).
 */
export type StaleReason = 'swr' | 'grace-error' | 'grace-backend' | 'soft-timeout'

/**
 * `acquired`: this process computes; `waited`: another process computed and the value was read
 * from L2; `fellThrough`: the lock could not be had in time and this process computed anyway.
 */
export type LockOutcome = 'acquired' | 'waited' | 'fellThrough'

type Method = Exclude<keyof CacheObserver, 'l1HitWhen'>

/**
 * Fans each report out to the observers that have the method. Lists are built when an observer is
 * added, so reporting walks an array of the interested ones only.
 */
export class CacheEvents {
  readonly #observers: CacheObserver[] = []
  #wantsL1Hit = false
  /** The `l1HitWhen` switches of observers that want L1 hits only while someone listens. */
  #l1HitWhen: ReadonlyArray<{ readonly hasSubscribers: boolean }> = []

  /** Whether an attached observer wants L1 hits (the hit path checks this before reporting). */
  get wantsL1Hit(): boolean {
    if (this.#wantsL1Hit) return true
    const gates = this.#l1HitWhen
    for (let i = 0; i < gates.length; i++) {
      if ((gates[i] as { hasSubscribers: boolean }).hasSubscribers) return true
    }
    return false
  }

  /** Attaches an observer; the returned function detaches it. */
  observe(observer: CacheObserver): () => void {
    this.#observers.push(observer)
    this.#indexL1Hit()
    return () => {
      const at = this.#observers.indexOf(observer)
      if (at >= 0) this.#observers.splice(at, 1)
      this.#indexL1Hit()
    }
  }

  #indexL1Hit(): void {
    const hearing = this.#observers.filter((o) => o.l1Hit !== undefined)
    this.#wantsL1Hit = hearing.some((o) => o.l1HitWhen === undefined)
    this.#l1HitWhen = hearing.flatMap((o) => (o.l1HitWhen === undefined ? [] : [o.l1HitWhen]))
  }

  emit<M extends Method>(method: M, ...args: Parameters<NonNullable<CacheObserver[M]>>): void {
    const observers = this.#observers
    for (let i = 0; i < observers.length; i++) {
      const fn = (observers[i] as CacheObserver)[method] as ((...a: unknown[]) => void) | undefined
      if (fn !== undefined) fn.apply(observers[i], args)
    }
  }
}
