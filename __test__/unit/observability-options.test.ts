import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../../src/errors.js'
import { cache, createCache, prometheusMetrics } from '../../src/index.js'
import { instrumentsFor } from '../../src/observability/index.js'
import { loadOptional } from '../../src/observability/optional.js'

describe('the observe option', () => {
  it('is checked at wrap time: an instrument has attach(cache)', () => {
    const fn = async () => 1
    expect(() => cache(fn, { namespace: 'o1', backend: null, observe: {} as never })).toThrow(
      /Option options.observe must be an instrument with attach\(cache\)/,
    )
    const metrics = prometheusMetrics({ registry: new Registry() })
    expect(() => createCache({ namespace: 'o2', backend: null, observe: [metrics, 5 as never] })).toThrow(
      /observe\[1\] must be an instrument/,
    )
    expect(() => cache(fn, { namespace: 'o3', backend: null, observed: metrics } as never)).toThrow(
      /did you mean "observe"/,
    )
  })

  it('attaches diagnostics_channel always, then each given instrument once, to every engine', () => {
    const metrics = prometheusMetrics({ registry: new Registry() })
    const [diagnostics] = instrumentsFor(undefined)
    expect(instrumentsFor(undefined)).toHaveLength(1)
    expect(instrumentsFor([metrics, metrics])).toEqual([diagnostics, metrics])
    expect(instrumentsFor(metrics)).toEqual([diagnostics, metrics])
    const seen: string[] = []
    const instrument = { attach: (c: { config: { namespace: string } }) => seen.push(c.config.namespace) }
    const by = createCache({ namespace: 'o4', backend: null, observe: instrument })
    by.wrap(async (n: number) => n, { name: 'double' })(1)
    expect(seen).toEqual(['o4', 'o4/double'])
  })

  it('names the optional peer dependency to install when it is missing', () => {
    let thrown: unknown
    try {
      loadOptional('cachekit-no-such-package', 'prometheusMetrics()')
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(ConfigurationError)
    expect((thrown as ConfigurationError).code).toBe('MISSING_OPTIONAL_DEPENDENCY')
    expect((thrown as Error).message).toBe(
      'prometheusMetrics() needs the optional peer dependency cachekit-no-such-package: run `npm install cachekit-no-such-package`',
    )
  })
})
