/**
 * A bounded concurrent load on two cached functions (one with L1, one without), every call's
 * latency recorded with the phase it started in and the breaker state it met, every value checked.
 */
import type { CachedFunction } from '../../src/index.js'

export interface Sample {
  readonly phase: string
  readonly ms: number
  readonly breaker: string | null
  /** The function has no L1: every call of it needs L2 (or the function). */
  readonly l2Only: boolean
}

export interface Value {
  readonly key: number
  readonly text: string
}

/** What the cached function returns for `key`: a check that a call got its own value. */
export function expectedValue(key: number): Value {
  return { key, text: `value ${key} `.repeat(8) }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The function under cache: `fnMs` of waiting (its own time is recorded), then the value. */
export function slowFunction(fnMs: number, times: Array<{ phase: string; ms: number }>, load: () => Load) {
  return async (key: number): Promise<Value> => {
    const started = performance.now()
    await sleep(fnMs)
    times.push({ phase: load().phase, ms: performance.now() - started })
    return expectedValue(key)
  }
}

export class Load {
  phase = 'warm-up'
  readonly samples: Sample[] = []
  /** Calls that returned another value than their key's, or rejected. */
  readonly wrong: unknown[] = []
  readonly #callers: number
  readonly #keys: number
  readonly #functions: ReadonlyArray<CachedFunction<(key: number) => Promise<Value>>>
  #running = false
  #loops: Promise<void>[] = []

  constructor(
    functions: ReadonlyArray<CachedFunction<(key: number) => Promise<Value>>>,
    options: { callers: number; keys: number },
  ) {
    this.#functions = functions
    this.#callers = options.callers
    this.#keys = options.keys
  }

  start(): void {
    this.#running = true
    this.#loops = Array.from({ length: this.#callers }, () => this.#loop())
  }

  async stop(): Promise<void> {
    this.#running = false
    await Promise.all(this.#loops)
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const key = Math.floor(Math.random() * this.#keys)
      const fn = this.#functions[key % this.#functions.length] as CachedFunction<
        (key: number) => Promise<Value>
      >
      const l2Only = fn.info().l1 === null
      const phase = this.phase
      const breaker = fn.info().breaker
      const started = performance.now()
      try {
        const value = await fn(key)
        if (value.key !== key || value.text !== expectedValue(key).text) this.wrong.push({ key, value })
      } catch (err) {
        this.wrong.push(err)
      }
      this.samples.push({ phase, ms: performance.now() - started, breaker, l2Only })
      // Yield to timers and I/O between calls, as a real caller would (L1 hits never yield).
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  during(phase: string): number[] {
    return this.samples.filter((s) => s.phase === phase).map((s) => s.ms)
  }
}
