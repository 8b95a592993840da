import { afterEach, describe, expect, it, vi } from 'vitest'
import { CachekitError, ConfigurationError } from '../../src/errors.js'
import { cache, createCache, detectBackend, MemoryBackend, RedisBackend } from '../../src/index.js'

function refusal(fn: () => unknown): CachekitError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(CachekitError)
    return err as CachekitError
  }
  throw new Error('expected a ConfigurationError, nothing was thrown')
}

const fn = async function f() {}

describe('unknown option keys are errors with a did-you-mean', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['encrypted: true (a plaintext cache today)', { encrypted: true }, 'encrypt'],
    ['masterkey', { masterkey: 'a'.repeat(64) }, 'masterKey'],
    ['ttel', { ttl: 5, ttel: 5 }, 'ttl'],
    ['namepsace', { namepsace: 'x' }, 'namespace'],
  ]
  for (const [name, options, near] of cases) {
    it(name, () => {
      const err = refusal(() => cache(fn, { backend: null, ...options } as never))
      expect(err.code).toBe('UNKNOWN_OPTION')
      expect(err.message).toContain(`did you mean "${near}"?`)
    })
  }

  it('l1: { maxbytes } is refused inside the l1 object', () => {
    const err = refusal(() => cache(fn, { backend: null, l1: { maxbytes: 10 } } as never))
    expect(err.message).toMatch(/Unknown option "maxbytes" for the l1 option: did you mean "maxBytes"\?/)
  })

  it('createCache, wrap, set and RedisBackend check their options too', async () => {
    expect(refusal(() => createCache({ backend: null, encrypted: true } as never)).code).toBe(
      'UNKNOWN_OPTION',
    )
    const c = createCache({ backend: null })
    expect(refusal(() => c.wrap(fn, { namespace: 'x' } as never)).message).toMatch(/did you mean "name"\?/)
    await expect(c.set('k', 1, { tll: 5 } as never)).rejects.toMatchObject({ code: 'UNKNOWN_OPTION' })
    expect(
      refusal(() => new RedisBackend({ url: 'redis://127.0.0.1:1', keyprefix: 'x' } as never)).code,
    ).toBe('UNKNOWN_OPTION')
  })
})

describe('wrong types are errors naming the option and what it takes', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["encrypt: 'false'", { encrypt: 'false' }, /encrypt must be true or false, got the string "false"/],
    ["backend: 'redis://…'", { backend: 'redis://localhost:6379' }, /new RedisBackend\(\{ url/],
    ['backend: {}', { backend: {} }, /has no get, getWithTtl, set/],
    ['serializer: {}', { serializer: {} }, /serializer must be .* it has no serialize, deserialize methods/],
    ["serializer: 'yaml'", { serializer: 'yaml' }, /"msgpack" or "msgpack-js"/],
    [
      'tenant: 5',
      { tenant: 5, encrypt: true, masterKey: 'a'.repeat(64) },
      /tenant must be a non-empty string/,
    ],
    ["key: 'x'", { key: 'x' }, /key must be a function/],
    ['ttl: 0', { ttl: 0 }, /ttl must be a whole number of seconds/],
    ["ttl: '5 minutes'", { ttl: '5 minutes' }, /'30s', '5m', '1h', '1d'/],
    ["l1: { mode: 'shared' }", { l1: { mode: 'shared' } }, /l1.mode must be "copy" or "frozen"/],
    ['l1: { maxBytes: -1 }', { l1: { maxBytes: -1 } }, /l1.maxBytes must be a positive integer/],
    ["onDecryptError: 'ignore'", { onDecryptError: 'ignore' }, /"throw" or "miss"/],
    ['logger: console.log', { logger: console.log }, /logger must be a logger/],
    ['cacheUndefined with msgpack', { cacheUndefined: true }, /use serializer: 'msgpack-js'/],
    ['tenant without encryption', { tenant: 'acme' }, /tenant only applies to encrypted caches/],
  ]
  for (const [name, options, message] of cases) {
    it(name, () => {
      const err = refusal(() => cache(fn, { backend: null, ...options } as never))
      expect(err).toBeInstanceOf(ConfigurationError)
      expect(err.message).toMatch(message)
    })
  }

  it("createCache({ intent: 'secured' }) names the intents", () => {
    const err = refusal(() => createCache({ intent: 'secured' } as never))
    expect(err.message).toMatch(/"default" or "minimal" or "production" or "secure"/)
  })

  it('cache(fn, options) with a non-object second argument is refused', () => {
    expect(refusal(() => cache(fn, 'users' as never)).code).toBe('INVALID_OPTIONS')
  })
})

describe('ttl as a duration string', () => {
  it("'30s', '5m', '1h' and '1d' mean seconds", () => {
    expect(cache(fn, { backend: null, ttl: '30s' }).info().ttl).toBe(30)
    expect(cache(fn, { backend: null, ttl: '5m' }).info().ttl).toBe(300)
    expect(cache(fn, { backend: null, ttl: '1h' }).info().ttl).toBe(3600)
    expect(createCache({ backend: null, ttl: '1d' }).info().ttl).toBe(86_400)
  })

  it('works for by-key writes', async () => {
    const backend = new MemoryBackend()
    const c = createCache({ namespace: 'durations', backend })
    await c.set('k', 1, { ttl: '2m' })
    expect(await backend.ttl('ck:durations:k')).toBe(120)
  })

  it('anything else stays a typed error', () => {
    for (const bad of ['', '5', 's', '1.5h', '-1m', '0s', '1w', '1h30m', Number.NaN, 1.5, 2 ** 60]) {
      expect(refusal(() => cache(fn, { backend: null, ttl: bad as never })).code).toBe('INVALID_TTL')
    }
  })
})

describe('backend from the environment', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('REDIS_URL without a scheme is refused with the fix', () => {
    for (const url of ['localhost', 'localhost:6379', 'http://localhost:6379', 'redis://']) {
      const err = refusal(() => detectBackend({ REDIS_URL: url }))
      expect(err.code).toBe('INVALID_REDIS_URL')
      expect(err.message).toMatch(/redis:\/\/host:port/)
    }
    expect(detectBackend({ REDIS_URL: 'rediss://user:pw@cache.internal:6380/2' })).toMatchObject({
      kind: 'redis',
    })
  })

  it('the password of a refused URL is not printed', () => {
    const err = refusal(() => detectBackend({ CACHEKIT_REDIS_URL: 'http://user:hunter2@host' }))
    expect(err.message).not.toContain('hunter2')
  })

  it('says once per process which L2 is in use, including none', () => {
    vi.stubEnv('CACHEKIT_REDIS_URL', '')
    vi.stubEnv('REDIS_URL', '')
    const logger = { warn: vi.fn(), info: vi.fn() }
    const a = cache(async function a() {}, { logger })
    cache(async function b() {}, { logger })
    // vitest gives each test file fresh modules: this is the first env-backed cache of the "process".
    expect(logger.info).toHaveBeenCalledTimes(1)
    expect(logger.info.mock.calls[0]?.[1]).toMatch(/No L2 configured: .* set REDIS_URL or pass \{ backend \}/)
    expect(a.info()).toMatchObject({ backend: 'none', l2: false })
  })
})
