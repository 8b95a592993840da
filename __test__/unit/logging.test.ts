import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it, vi } from 'vitest'
import winston from 'winston'
import { BackendError } from '../../src/errors.js'
import { cache, createCache, MemoryBackend, winstonLogger } from '../../src/index.js'
import { FaultyBackend } from '../support/faulty-backend.js'

/** A stream that collects JSON log lines. */
function sink(): { stream: Writable; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line))
      done()
    },
  })
  return { stream, lines }
}

function failingBackend() {
  return new FaultyBackend(new MemoryBackend()).fail(new BackendError('REDIS_ERROR', 'connection refused'))
}

describe('loggers', () => {
  it('a pino logger is used as it is: the message as msg, the error under err', async () => {
    const { stream, lines } = sink()
    const get = cache(async () => 1, { namespace: 'pino', backend: failingBackend(), logger: pino(stream) })
    expect(await get()).toBe(1)
    const line = lines.find((l) => l.event === 'l2-read-failed')
    expect(line).toMatchObject({ level: 40, namespace: 'pino', msg: expect.stringMatching(/L2 read failed/) })
    expect(line?.err).toMatchObject({ type: 'BackendError', message: 'connection refused' })
  })

  it('a winston logger works through winstonLogger(), the error kept in its metadata', async () => {
    const { stream, lines } = sink()
    const logger = winston.createLogger({
      format: winston.format.json(),
      transports: [new winston.transports.Stream({ stream })],
    })
    const get = cache(async () => 1, {
      namespace: 'winston',
      backend: failingBackend(),
      logger: winstonLogger(logger),
    })
    expect(await get()).toBe(1)
    await new Promise((resolve) => setImmediate(resolve))
    const line = lines.find((l) => l.event === 'l2-read-failed')
    expect(line).toMatchObject({
      level: 'warn',
      namespace: 'winston',
      message: expect.stringMatching(/L2 read failed/),
    })
    expect(line?.err).toBeDefined()
  })

  it('rate limiting applies to any logger: 100 failing calls give one warning per kind', async () => {
    const logger = { warn: vi.fn() }
    // The subject is the rate limiter: no circuit breaker, whose opening would be a line of its own.
    const get = cache(async (n: number) => n, {
      namespace: 'limited',
      backend: failingBackend(),
      logger,
      reliability: { breaker: false },
    })
    for (let i = 0; i < 100; i++) expect(await get(i)).toBe(i)
    const events = logger.warn.mock.calls.map(([fields]) => fields.event)
    expect(events.filter((e) => e === 'l2-read-failed')).toHaveLength(1)
    expect(events.filter((e) => e === 'l2-write-failed')).toHaveLength(1)
    expect(logger.warn).toHaveBeenCalledTimes(2)
  })

  it('after the interval the next warning says how many were suppressed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const logger = { warn: vi.fn() }
      const c = createCache({
        namespace: 'suppressed',
        backend: failingBackend(),
        logger,
        reliability: { breaker: false },
      })
      for (let i = 0; i < 5; i++) await c.get(`k${i}`)
      vi.setSystemTime(Date.now() + 11_000)
      await c.get('later')
      expect(logger.warn).toHaveBeenCalledTimes(2)
      expect(logger.warn.mock.calls[1]?.[0]).toMatchObject({ suppressed: 4 })
    } finally {
      vi.useRealTimers()
    }
  })

  it('log lines never carry a raw by-key key, only the namespace and a short hash', async () => {
    const logger = { warn: vi.fn() }
    const c = createCache({ namespace: 'sessions', backend: failingBackend(), logger })
    const token = 'sess_8f14e45fceea167a5a36dedd4bea2543'
    await c.get(token)
    await c.has(token)
    const printed = JSON.stringify(logger.warn.mock.calls, (_k, v) => (v instanceof Error ? v.message : v))
    expect(printed).not.toContain(token)
    expect(logger.warn.mock.calls[0]?.[0]).toMatchObject({
      namespace: 'sessions',
      key: expect.stringMatching(/^[0-9a-f]{12}$/),
    })
  })
})
