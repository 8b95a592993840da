import { describe, expect, it } from 'vitest'
import { resolveReliability, settingsKey } from '../../src/backends/reliability-options.js'
import { CACHE_DEFAULTS, ConfigurationError, cache, createCache, RedisBackend } from '../../src/index.js'

type Make = (reliability: unknown) => unknown

// Every place that takes the option checks it the same way; RedisBackend checks before connecting.
const TAKERS: ReadonlyArray<[string, Make]> = [
  [
    'cache()',
    (reliability) => cache(async () => 1, { namespace: 'opt', backend: null, reliability } as never),
  ],
  ['createCache()', (reliability) => createCache({ namespace: 'opt', backend: null, reliability } as never)],
  ['RedisBackend', (reliability) => new RedisBackend({ url: 'redis://127.0.0.1:1', reliability } as never)],
]

function refusal(make: () => unknown): ConfigurationError {
  try {
    make()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError)
    return err as ConfigurationError
  }
  throw new Error('expected a ConfigurationError')
}

describe('the reliability option', () => {
  for (const [where, make] of TAKERS) {
    it(`${where}: a negative, zero or fractional timeout is a ConfigurationError naming the option`, () => {
      for (const timeoutMs of [-1, 0, 1.5, Number.NaN, '200', 2 ** 31]) {
        const err = refusal(() => make({ timeoutMs }))
        expect(err.code).toBe('INVALID_OPTION')
        expect(err.message).toMatch(/reliability\.timeoutMs must be a whole number of milliseconds from 1/)
      }
    })

    it(`${where}: breaker and backpressure settings are checked field by field, with a did-you-mean`, () => {
      expect(refusal(() => make({ breaker: { failureTreshold: 3 } })).message).toMatch(
        /Unknown option "failureTreshold".*did you mean "failureThreshold"/,
      )
      expect(refusal(() => make({ breaker: { recoveryMs: -5 } })).message).toMatch(
        /reliability\.breaker\.recoveryMs/,
      )
      expect(refusal(() => make({ breaker: true })).message).toMatch(/an options object or false/)
      expect(refusal(() => make({ backpressure: { maxConcurrent: 0 } })).message).toMatch(
        /reliability\.backpressure\.maxConcurrent must be a positive whole number/,
      )
      expect(refusal(() => make({ timeout: 100 })).message).toMatch(/did you mean "timeoutMs"/)
      expect(refusal(() => make('fast')).message).toMatch(/an options object for the reliability option/)
    })
  }

  it('takes well-formed settings, false to turn a part off, and 0 waiting', () => {
    const fn = cache(async () => 1, {
      namespace: 'opt-ok',
      backend: null,
      reliability: { timeoutMs: 50, breaker: false, backpressure: { maxWaiting: 0, maxWaitMs: 0 } },
    })
    expect(fn.info().breaker).toBeNull()
  })

  it('defaults to the values of CACHE_DEFAULTS', () => {
    expect(resolveReliability()).toEqual({
      timeoutMs: 200,
      breaker: { failureThreshold: 5, successThreshold: 3, recoveryMs: 30_000, halfOpenProbes: 1 },
      backpressure: { maxConcurrent: 100, maxWaiting: 1000, maxWaitMs: 100 },
    })
    expect(resolveReliability().timeoutMs).toBe(CACHE_DEFAULTS.l2TimeoutMs)
    expect(resolveReliability().breaker).toMatchObject({ recoveryMs: CACHE_DEFAULTS.breakerRecoveryMs })
  })

  it("a cache's settings go over the store's field by field; false turns a part off and an object back on", () => {
    const store = { timeoutMs: 500, breaker: { recoveryMs: 1000 } }
    expect(resolveReliability(store, { breaker: { failureThreshold: 2 } })).toMatchObject({
      timeoutMs: 500,
      breaker: { failureThreshold: 2, recoveryMs: 1000, successThreshold: 3 },
    })
    expect(resolveReliability(store, { breaker: false }).breaker).toBe(false)
    expect(resolveReliability({ breaker: false }, { breaker: {} }).breaker).toMatchObject({
      recoveryMs: 30_000,
    })
    expect(resolveReliability(store, { timeoutMs: undefined }).timeoutMs).toBe(500)
  })

  it('equal settings have equal keys, whatever the order they were given in', () => {
    const a = resolveReliability({ breaker: { recoveryMs: 10, failureThreshold: 2 } })
    const b = resolveReliability({ breaker: { failureThreshold: 2, recoveryMs: 10 } })
    expect(settingsKey(a)).toBe(settingsKey(b))
    expect(settingsKey(a)).not.toBe(settingsKey(resolveReliability()))
  })
})
