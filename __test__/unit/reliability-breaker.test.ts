import { describe, expect, it, vi } from 'vitest'
import { MemoryBackend } from '../../src/backends/memory.js'
import { BackendError } from '../../src/errors.js'
import { CircuitBreakerBackend, isOutage } from '../../src/reliability/breaker.js'
import { backendFault, FaultyBackend } from '../support/faulty-backend.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const SETTINGS = { failureThreshold: 3, successThreshold: 2, recoveryMs: 60, halfOpenProbes: 1 }

function breaker(settings = SETTINGS, enabled = true) {
  const store = new FaultyBackend(new MemoryBackend())
  const logger = { warn: vi.fn(), info: vi.fn(), debug: vi.fn() }
  return { store, logger, b: new CircuitBreakerBackend(store, settings, logger, enabled) }
}

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (e: unknown) => e,
  )
}

async function failTimes(b: CircuitBreakerBackend, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await rejection(b.get('k'))
}

describe('the circuit breaker', () => {
  it('counts timeouts, connection and transient failures as outages, not authentication or permanent ones', () => {
    for (const kind of ['timeout', 'connection', 'transient'] as const)
      expect(isOutage(backendFault(kind))).toBe(true)
    for (const kind of ['authentication', 'permanent'] as const)
      expect(isOutage(backendFault(kind))).toBe(false)
    expect(isOutage(new TypeError('a custom backend broke its contract'))).toBe(true)
  })

  it('opens after failureThreshold consecutive outages and then refuses at once, without reaching the store', async () => {
    const { store, b, logger } = breaker()
    store.failWith('timeout')
    await failTimes(b, 2)
    expect(b.state).toBe('closed')
    await failTimes(b, 1)
    expect(b.state).toBe('open')
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'l2-breaker-open' }),
      expect.stringMatching(/open after 3 consecutive failures/),
    )
    const reached = store.failures.length
    const started = performance.now()
    const err = await rejection(b.set('k', Buffer.from('v'), 60))
    // At once, not after a deadline (generous: the machine may be busy).
    expect(performance.now() - started).toBeLessThan(50)
    expect(err).toBeInstanceOf(BackendError)
    expect(err).toMatchObject({ code: 'CIRCUIT_OPEN', kind: 'connection' })
    expect((err as Error).message).toMatch(/circuit breaker is open.*a probe goes through in \d+ ms/)
    expect((err as Error).cause).toBeInstanceOf(BackendError)
    expect(store.failures.length).toBe(reached)
    expect(b.snapshot()).toMatchObject({ state: 'open', opened: 1, rejected: 1 })
  })

  it('a success between failures starts the count again', async () => {
    const { store, b } = breaker()
    store.failTimes(2, backendFault('connection'))
    await failTimes(b, 2)
    await b.get('k')
    store.failTimes(2, backendFault('connection'))
    await failTimes(b, 2)
    expect(b.state).toBe('closed')
    expect(b.down).toBe(true)
    await b.get('k')
    expect(b.down).toBe(false)
  })

  it('authentication and permanent errors neither trip it nor count as answers, and are logged loudly', async () => {
    const { store, b, logger } = breaker()
    store.failWith('authentication')
    await failTimes(b, 10)
    store.failWith('permanent')
    await failTimes(b, 10)
    expect(b.state).toBe('closed')
    expect(b.down).toBe(false)
    const events = logger.warn.mock.calls.map(([fields]) => fields.event)
    expect(events).toContain('l2-authentication-error')
    expect(events).toContain('l2-permanent-error')
    expect(logger.warn.mock.calls[0]?.[1]).toMatch(/refused the credentials.*not retried/)
    // One attempt each: nothing is retried.
    expect(store.failures.length).toBe(20)
  })

  it('UNSUPPORTED (an operation the backend declared it lacks) is neither an outage nor logged', async () => {
    const { b, logger } = breaker()
    const memory = new MemoryBackend()
    memory.ttl = () => Promise.reject(new BackendError('UNSUPPORTED', 'no ttl', { kind: 'permanent' }))
    const over = new CircuitBreakerBackend(memory, SETTINGS, logger)
    for (let i = 0; i < 5; i++) await rejection(over.ttl('k'))
    expect(over.state).toBe('closed')
    expect(logger.warn).not.toHaveBeenCalled()
    expect(b.state).toBe('closed')
  })

  it('after recoveryMs it is half-open: one probe at a time, closed after successThreshold successes', async () => {
    const { store, b, logger } = breaker()
    store.failWith('connection')
    await failTimes(b, 3)
    store.heal()
    await sleep(SETTINGS.recoveryMs + 10)
    expect(b.state).toBe('half-open')
    store.hang()
    const probe = b.get('k')
    // The probe is in flight: everything else is refused as while open.
    expect(await rejection(b.get('other'))).toMatchObject({ code: 'CIRCUIT_OPEN' })
    expect(((await rejection(b.get('other'))) as Error).message).toMatch(/a probe is in flight/)
    store.release()
    await probe
    expect(b.state).toBe('half-open')
    await b.get('k')
    expect(b.state).toBe('closed')
    expect(logger.info).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'l2-breaker-closed' }),
      expect.stringMatching(/closed: 2 probes succeeded/),
    )
  })

  it('a failed probe opens it again for another recoveryMs', async () => {
    const { store, b } = breaker()
    store.failWith('timeout')
    await failTimes(b, 3)
    await sleep(SETTINGS.recoveryMs + 10)
    await failTimes(b, 1)
    expect(b.state).toBe('open')
    expect(b.snapshot().opened).toBe(2)
    expect(b.snapshot().retryInMs).toBeGreaterThan(SETTINGS.recoveryMs / 2)
    store.heal()
    expect(await rejection(b.get('k'))).toMatchObject({ code: 'CIRCUIT_OPEN' })
  })

  it('late outcomes of operations sent before it opened change nothing', async () => {
    const { store, b } = breaker()
    store.hang(['get'])
    const early = b.get('early')
    store.failWith('connection', ['set'])
    for (let i = 0; i < 3; i++) await rejection(b.set('k', Buffer.from('v'), 60))
    expect(b.state).toBe('open')
    store.heal()
    await early
    expect(b.state).toBe('open')
    expect(b.snapshot().opened).toBe(1)
  })

  it('disabled (breaker: false) it never opens, and still tells that the last operation failed', async () => {
    const { store, b } = breaker(SETTINGS, false)
    store.failWith('connection')
    await failTimes(b, 50)
    expect(b.state).toBe('closed')
    expect(b.down).toBe(true)
    expect(store.failures.length).toBe(50)
  })

  it('getManyWithTtl goes through it too, when the store has it', async () => {
    const { store, b } = breaker()
    expect(b.getManyWithTtl).toBeUndefined()
    const memory = new MemoryBackend()
    const withMany = new CircuitBreakerBackend(memory, SETTINGS, { warn() {} })
    expect(withMany.getManyWithTtl).toBeDefined()
    memory.getManyWithTtl = () => Promise.reject(backendFault('timeout'))
    const again = new CircuitBreakerBackend(memory, SETTINGS, { warn() {} })
    for (let i = 0; i < 3; i++) await rejection(again.getManyWithTtl?.(['k']) ?? Promise.resolve())
    expect(again.state).toBe('open')
    expect(store.failures).toEqual([])
  })
})
