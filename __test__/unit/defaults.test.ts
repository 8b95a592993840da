import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CACHE_DEFAULTS, cache, INTENT_DEFAULTS, renderDefaultsMarkdown } from '../../src/index.js'

const root = new URL('../../', import.meta.url)

describe('the defaults table', () => {
  it('holds the protocol TTL presets', () => {
    expect(INTENT_DEFAULTS.minimal.ttl).toBe(300)
    expect(INTENT_DEFAULTS.production.ttl).toBe(600)
    expect(INTENT_DEFAULTS.secure.ttl).toBe(600)
    expect(INTENT_DEFAULTS.io.ttl).toBe(3600)
    expect(INTENT_DEFAULTS.secure.encrypt).toBe(true)
    expect(CACHE_DEFAULTS.onDecryptError).toBe('throw')
  })

  it('is what the intents actually use', () => {
    for (const name of ['minimal', 'production', 'dev', 'test', 'io', 'local'] as const) {
      const fn = cache[name](async (n: number) => n, { namespace: `defaults-${name}`, backend: null })
      expect(fn.info().ttl).toBe(INTENT_DEFAULTS[name].ttl)
      expect(fn.info().l1?.maxBytes).toBe(CACHE_DEFAULTS.l1MaxBytes)
    }
    expect(cache.test(async () => 1, { namespace: 'defaults-test-l2' }).info().backend).toBe('memory')
    expect(cache.local(async () => 1, { namespace: 'defaults-local-l2' }).info().l2).toBe(false)
  })

  it('renders as markdown with every intent and setting', () => {
    const md = renderDefaultsMarkdown()
    for (const name of Object.keys(INTENT_DEFAULTS)) {
      expect(md).toContain(name === 'default' ? '| `cache` |' : `| \`cache.${name}\` |`)
    }
    for (const name of Object.keys(CACHE_DEFAULTS)) expect(md).toContain(`| \`${name}\` |`)
    expect(md).toContain('| `cache.io` | 3600 |')
  })

  it('is copied verbatim into README.md', () => {
    expect(readFileSync(new URL('README.md', root), 'utf8'), 'README.md is out of date').toContain(
      renderDefaultsMarkdown(),
    )
  })
})
