import { afterEach, describe, expect, it, vi } from 'vitest'
import { rateLimited } from '../../src/cache/logger.js'
import { BackendError } from '../../src/errors.js'
import { consoleLogger, winstonLogger } from '../../src/index.js'

// What the built-in loggers print, and how the rate limiter groups repeated warnings.

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('consoleLogger', () => {
  it('prints "[cachekit] message" and the error message after a colon, warn to console.warn, info to console.info', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const info = vi.spyOn(console, 'info').mockImplementation(() => {})
    const logger = consoleLogger()
    logger.warn({ event: 'l2-read-failed', err: new Error('connection refused') }, 'L2 read failed')
    logger.info?.({ event: 'backend' }, 'using redis')
    logger.warn({ event: 'odd', err: 'not an Error' }, 'something odd')
    expect(warn.mock.calls).toStrictEqual([
      ['[cachekit] L2 read failed: connection refused'],
      ['[cachekit] something odd'],
    ])
    expect(info.mock.calls).toStrictEqual([['[cachekit] using redis']])
  })

  it('debug lines go to NODE_DEBUG=cachekit only, never to the console', () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((name) =>
      vi.spyOn(console, name).mockImplementation(() => {}),
    )
    consoleLogger().debug?.({ event: 'detail' }, 'a detail')
    for (const spy of spies) expect(spy).not.toHaveBeenCalled()
  })
})

describe('winstonLogger', () => {
  it('passes each level to winston, message first and the fields as metadata', () => {
    const winston = { warn: vi.fn(), info: vi.fn(), debug: vi.fn() }
    const logger = winstonLogger(winston)
    const fields = { event: 'e', namespace: 'ns' }
    logger.warn(fields, 'w')
    logger.info?.(fields, 'i')
    logger.debug?.(fields, 'd')
    expect(winston.warn).toHaveBeenCalledWith('w', fields)
    expect(winston.info).toHaveBeenCalledWith('i', fields)
    expect(winston.debug).toHaveBeenCalledWith('d', fields)
  })
})

describe('rateLimited', () => {
  const failure = (code: string) => new BackendError(code, `failed with ${code}`)

  it('groups warnings by event and error code: a different code is a new line, the same code is not', () => {
    const inner = { warn: vi.fn() }
    const logger = rateLimited(inner, 10_000)
    logger.warn({ event: 'l2-read-failed', err: failure('REDIS_ERROR') }, 'a')
    logger.warn({ event: 'l2-read-failed', err: failure('REDIS_ERROR') }, 'b')
    logger.warn({ event: 'l2-read-failed', err: failure('TIMEOUT') }, 'c')
    logger.warn({ event: 'l2-write-failed', err: failure('REDIS_ERROR') }, 'd')
    expect(inner.warn.mock.calls.map(([, message]) => message)).toStrictEqual(['a', 'c', 'd'])
  })

  it('warnings without an error, or whose error code is not a string, are grouped by event alone', () => {
    const inner = { warn: vi.fn() }
    const logger = rateLimited(inner, 10_000)
    logger.warn({ event: 'no-error' }, 'a')
    logger.warn({ event: 'no-error' }, 'b')
    logger.warn({ event: 'errno', err: Object.assign(new Error('x'), { code: 1 }) }, 'c')
    logger.warn({ event: 'errno', err: Object.assign(new Error('y'), { code: 2 }) }, 'd')
    logger.warn({ event: 'errno', err: new Error('z') }, 'e')
    expect(inner.warn.mock.calls.map(([, message]) => message)).toStrictEqual(['a', 'c'])
  })

  it('info and debug lines pass through unchanged and are never limited', () => {
    const inner = { warn: vi.fn(), info: vi.fn(), debug: vi.fn() }
    const logger = rateLimited(inner, 10_000)
    for (let i = 0; i < 3; i++) {
      logger.info?.({ event: 'backend' }, `info ${i}`)
      logger.debug?.({ event: 'detail' }, `debug ${i}`)
    }
    expect(inner.info.mock.calls).toStrictEqual([0, 1, 2].map((i) => [{ event: 'backend' }, `info ${i}`]))
    expect(inner.debug.mock.calls).toStrictEqual([0, 1, 2].map((i) => [{ event: 'detail' }, `debug ${i}`]))
    // A logger without info or debug is fine too.
    const warnOnly = rateLimited({ warn: vi.fn() }, 10_000)
    expect(() => warnOnly.debug?.({ event: 'detail' }, 'dropped')).not.toThrow()
  })

  it('the same warning is printed again once the interval has passed, not a millisecond sooner', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_000)
    const inner = { warn: vi.fn() }
    const logger = rateLimited(inner, 10_000)
    logger.warn({ event: 'e' }, 'first')
    vi.setSystemTime(1_700_000_009_999)
    logger.warn({ event: 'e' }, 'suppressed')
    vi.setSystemTime(1_700_000_010_000)
    logger.warn({ event: 'e' }, 'again')
    expect(inner.warn.mock.calls.map(([, message]) => message)).toStrictEqual(['first', 'again'])
  })

  it('a warning after a quiet interval carries no suppressed count; one after suppressed lines says how many', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_700_000_000_000)
    const inner = { warn: vi.fn() }
    const logger = rateLimited(inner, 10_000)
    logger.warn({ event: 'e' }, 'first')
    vi.setSystemTime(1_700_000_020_000)
    logger.warn({ event: 'e' }, 'quiet since')
    logger.warn({ event: 'e' }, 'suppressed')
    vi.setSystemTime(1_700_000_040_000)
    logger.warn({ event: 'e' }, 'after one suppressed')
    expect(inner.warn.mock.calls.map(([fields]) => fields)).toStrictEqual([
      { event: 'e' },
      { event: 'e' },
      { event: 'e', suppressed: 1 },
    ])
  })
})
