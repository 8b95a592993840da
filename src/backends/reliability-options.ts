/**
 * The `reliability` option of `cache()`, `createCache()` and `RedisBackend`: deadlines, the circuit
 * breaker and backpressure of L2 operations. Its shape is checked here, below the layers that use it,
 * so a backend can take and check it too.
 */
import { CACHE_DEFAULTS } from '../defaults.js'
import { type Check, checkOptions, invalid, type Shape } from '../validate.js'

export interface BreakerOptions {
  /** Consecutive backend failures (timeouts, connection and transient errors) that open it. */
  failureThreshold?: number
  /** Successful probes in a row, while half-open, that close it again. */
  successThreshold?: number
  /** Milliseconds it stays open before letting probes through (half-open). */
  recoveryMs?: number
  /** Operations let through at once while half-open; the others are refused as while open. */
  halfOpenProbes?: number
}

export interface BackpressureOptions {
  /** L2 operations in flight at once; the next ones wait. */
  maxConcurrent?: number
  /** Operations waiting for a slot; past it an operation is shed at once. */
  maxWaiting?: number
  /** Milliseconds an operation waits for a slot before it is shed. */
  maxWaitMs?: number
}

export interface ReliabilityOptions {
  /** Deadline of every L2 operation, in milliseconds. */
  timeoutMs?: number
  /** Circuit breaker settings, or `false` for none (every call then waits for its own deadline). */
  breaker?: BreakerOptions | false
  /** Bounds on concurrent and waiting L2 operations, or `false` for none. */
  backpressure?: BackpressureOptions | false
}

/** Every setting decided: what the layers are built from. */
export interface ReliabilitySettings {
  readonly timeoutMs: number
  readonly breaker: Readonly<Required<BreakerOptions>> | false
  readonly backpressure: Readonly<Required<BackpressureOptions>> | false
}

/** setTimeout's longest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

function milliseconds(min: 0 | 1): Check {
  const expected = `a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}`
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > MAX_TIMER_MS) {
      invalid(path, v, expected)
    }
  }
}

function count(min: 0 | 1): Check {
  const expected = min === 0 ? 'a whole number, 0 or more' : 'a positive whole number'
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) invalid(path, v, expected)
  }
}

const BREAKER_SHAPE: Shape = {
  failureThreshold: count(1),
  successThreshold: count(1),
  recoveryMs: milliseconds(1),
  halfOpenProbes: count(1),
}

const BACKPRESSURE_SHAPE: Shape = {
  maxConcurrent: count(1),
  maxWaiting: count(0),
  maxWaitMs: milliseconds(0),
}

function orFalse(shape: Shape, what: string): Check {
  return (v, path) => {
    if (v === false) return
    if (v === true) invalid(path, v, `an options object or false (leave it out for the default ${what})`)
    checkOptions(v, shape, `the ${what} option`, path)
  }
}

const RELIABILITY_SHAPE: Shape = {
  timeoutMs: milliseconds(1),
  breaker: orFalse(BREAKER_SHAPE, 'breaker'),
  backpressure: orFalse(BACKPRESSURE_SHAPE, 'backpressure'),
}

/** The check of a `reliability` option, for option shapes. */
export const checkReliability: Check = (v, path) => {
  checkOptions(v, RELIABILITY_SHAPE, 'the reliability option', path)
}

const DEFAULT_BREAKER: Required<BreakerOptions> = {
  failureThreshold: CACHE_DEFAULTS.breakerFailureThreshold,
  successThreshold: CACHE_DEFAULTS.breakerSuccessThreshold,
  recoveryMs: CACHE_DEFAULTS.breakerRecoveryMs,
  halfOpenProbes: CACHE_DEFAULTS.breakerHalfOpenProbes,
}

const DEFAULT_BACKPRESSURE: Required<BackpressureOptions> = {
  maxConcurrent: CACHE_DEFAULTS.l2MaxConcurrent,
  maxWaiting: CACHE_DEFAULTS.l2MaxWaiting,
  maxWaitMs: CACHE_DEFAULTS.l2MaxWaitMs,
}

function merge<T extends object>(
  base: Readonly<Required<T>> | false,
  over: T | false | undefined,
  defaults: Required<T>,
): Readonly<Required<T>> | false {
  if (over === undefined) return base
  if (over === false) return false
  return Object.freeze({ ...(base === false ? defaults : base), ...defined(over) })
}

/** The fields that are set: `{ recoveryMs: undefined }` means the default, not "no value". */
function defined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>
}

/**
 * Settings from checked options, the defaults first and each later level field by field over the
 * earlier ones (a store's own options, then a cache's). `breaker: false` at a level turns it off;
 * an object at a later level turns it back on, from the defaults.
 */
export function resolveReliability(
  ...levels: ReadonlyArray<ReliabilityOptions | undefined>
): ReliabilitySettings {
  let settings: ReliabilitySettings = {
    timeoutMs: CACHE_DEFAULTS.l2TimeoutMs,
    breaker: Object.freeze({ ...DEFAULT_BREAKER }),
    backpressure: Object.freeze({ ...DEFAULT_BACKPRESSURE }),
  }
  for (const level of levels) {
    if (level === undefined) continue
    settings = {
      timeoutMs: level.timeoutMs ?? settings.timeoutMs,
      breaker: merge(settings.breaker, level.breaker, DEFAULT_BREAKER),
      backpressure: merge(settings.backpressure, level.backpressure, DEFAULT_BACKPRESSURE),
    }
  }
  return Object.freeze(settings)
}

/** Equal settings give equal text: caches with the same settings on one store share its layers. */
export function settingsKey(settings: ReliabilitySettings): string {
  const { timeoutMs, breaker, backpressure } = settings
  const part = (o: object | false) =>
    o === false
      ? 'off'
      : Object.entries(o)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${v}`)
          .join(',')
  return `timeout=${timeoutMs};breaker=${part(breaker)};backpressure=${part(backpressure)}`
}
