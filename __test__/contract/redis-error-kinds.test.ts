import { Redis, ReplyError } from 'ioredis'
import { MaxRetriesPerRequestError } from 'ioredis/built/errors/index.js'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { RedisBackend } from '../../src/backends/redis.js'
import { classifyRedisFailure } from '../../src/backends/redis-errors.js'
import { BackendError, type BackendErrorKind } from '../../src/errors.js'
import { freePort, type RedisServer, startRedisServer } from '../support/redis-server.js'

// Each test cleans up what it started: servers, clients, backends.
const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function server(args: readonly string[] = []): Promise<RedisServer> {
  const started = await startRedisServer(args)
  cleanups.push(() => started.stop())
  return started
}

/** A client that fails fast: short timeouts and one retry, so every test stays within a second. */
function client(url: string, options: { commandTimeout?: number; defaultRetries?: boolean } = {}): Redis {
  const redis = new Redis(url, {
    connectTimeout: 500,
    commandTimeout: options.commandTimeout ?? 500,
    maxRetriesPerRequest: 1,
    ...(options.defaultRetries ? {} : { retryStrategy: (times: number) => Math.min(times * 20, 100) }),
  })
  redis.on('error', () => {})
  cleanups.push(() => redis.disconnect())
  return redis
}

function backendOn(redis: Redis): RedisBackend {
  return new RedisBackend({ client: redis })
}

function ownedBackend(url: string): RedisBackend {
  const backend = new RedisBackend({ url })
  cleanups.push(() => backend.close())
  return backend
}

async function failure(call: Promise<unknown>): Promise<BackendError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(BackendError)
  return err as BackendError
}

describe('RedisBackend tells what kind of failure the server or the client reported', () => {
  it('a wrong password is an authentication failure whose fix is the password in the URL', async () => {
    const redis = await server(['--requirepass', 'right'])
    const backend = ownedBackend(`redis://:wrong@127.0.0.1:${redis.port}`)
    const err = await failure(backend.get('k'))
    expect(err).toMatchObject({ code: 'REDIS_ERROR', kind: 'authentication' })
    expect(err.message).toMatch(/WRONGPASS/)
    expect(err.message).toMatch(/check the username and password in the URL/)
    expect(err.message).not.toContain('wrong@')
    // The client keeps failing the same way; it does not become a "connection" failure later.
    expect((await failure(backend.set('k', Buffer.from('v'), 10))).kind).toBe('authentication')
  })

  it('no password where one is required is an authentication failure (NOAUTH)', async () => {
    const redis = await server(['--requirepass', 'right'])
    const err = await failure(backendOn(client(redis.url)).get('k'))
    expect(err.kind).toBe('authentication')
    expect(err.message).toMatch(/NOAUTH/)
  })

  it('a server that stopped is a connection failure on every later call, never a timeout', async () => {
    const redis = await server()
    // ioredis's own reconnect delays (50 ms, 100 ms, ... growing) soon outlast the 300 ms command
    // timeout: later commands time out in the offline queue instead of failing on a retry.
    const backend = backendOn(client(redis.url, { commandTimeout: 300, defaultRetries: true }))
    await backend.set('k', Buffer.from('v'), 10)
    await redis.stop()
    for (let i = 0; i < 4; i++) {
      const err = await failure(backend.get('k'))
      expect(err.kind).toBe('connection')
      expect(err.message).toMatch(/check that Redis is running and reachable/)
    }
  })

  it('nothing listening on the port is a connection failure', async () => {
    const port = await freePort()
    const err = await failure(backendOn(client(`redis://127.0.0.1:${port}`)).getWithTtl('k'))
    expect(err.kind).toBe('connection')
  })

  it('a connected server that does not answer within commandTimeout is a timeout', async () => {
    const redis = await server(['--enable-debug-command', 'yes'])
    const backend = backendOn(client(redis.url, { commandTimeout: 200 }))
    await backend.set('k', Buffer.from('v'), 10)
    const sleeper = client(redis.url, { commandTimeout: 5000 })
    const asleep = sleeper.call('DEBUG', 'SLEEP', '0.6')
    await new Promise((resolve) => setTimeout(resolve, 30))
    const started = Date.now()
    const err = await failure(backend.get('k'))
    expect(Date.now() - started).toBeLessThan(550)
    expect(err.kind).toBe('timeout')
    expect(err.message).toMatch(/did not answer within 200 ms/)
    await asleep
  })

  it('a server busy with a long script is transient, and serves again once the script is killed', async () => {
    const redis = await server(['--busy-reply-threshold', '50'])
    const backend = backendOn(client(redis.url))
    const killer = client(redis.url)
    await Promise.all([backend.exists('k'), killer.ping()]) // connected before the server is busy
    const looper = client(redis.url, { commandTimeout: 5000 })
    const looping = looper.eval('while true do end', 0).catch((e: unknown) => e)
    await new Promise((resolve) => setTimeout(resolve, 120))
    const err = await failure(backend.exists('k'))
    expect(err.kind).toBe('transient')
    expect(err.message).toMatch(/BUSY/)
    await killer.call('SCRIPT', 'KILL')
    await looping
    expect(await backend.exists('k')).toBe(false)
  })

  it('writes to a read-only replica are transient (READONLY), and so are reads of a replica without its primary (MASTERDOWN)', async () => {
    const nowhere = await freePort()
    const replica = await server(['--replicaof', '127.0.0.1', String(nowhere)])
    const write = await failure(backendOn(client(replica.url)).set('k', Buffer.from('v'), 10))
    expect(write.kind).toBe('transient')
    expect(write.message).toMatch(/READONLY.*point the URL at the primary/)

    const stale = await server([
      '--replicaof',
      '127.0.0.1',
      String(nowhere),
      '--replica-serve-stale-data',
      'no',
    ])
    const read = await failure(backendOn(client(stale.url)).get('k'))
    expect(read.kind).toBe('transient')
    expect(read.message).toMatch(/MASTERDOWN/)
  })

  it('a value of another type under the key is permanent (WRONGTYPE), on every read path', async () => {
    const redis = client(inject('redisUrl'))
    const key = `kinds:wrongtype:${process.pid}:${Date.now()}`
    await redis.lpush(key, 'x')
    cleanups.push(() => redis.del(key))
    const backend = backendOn(redis)
    for (const call of [backend.get(key), backend.getWithTtl(key)]) {
      const err = await failure(call)
      expect(err.kind).toBe('permanent')
      expect(err.message).toMatch(/WRONGTYPE.*its own keyPrefix or database/)
    }
  })

  it('after close() every call is CLOSED and permanent', async () => {
    const backend = new RedisBackend({ url: inject('redisUrl') })
    await backend.close()
    const err = await failure(backend.get('k'))
    expect(err).toMatchObject({ code: 'CLOSED', kind: 'permanent' })
  })
})

describe('classifyRedisFailure maps every reply code and client error the backend may see', () => {
  const ready = { ready: true, commandTimeoutMs: 2000 }
  const cases: Array<[string, Error, BackendErrorKind]> = [
    ['NOAUTH', new ReplyError('NOAUTH Authentication required.'), 'authentication'],
    ['WRONGPASS', new ReplyError('WRONGPASS invalid username-password pair'), 'authentication'],
    ['NOPERM', new ReplyError("NOPERM User u has no permissions to run the 'get' command"), 'authentication'],
    ['Redis 5 wrong password', new ReplyError('ERR invalid password'), 'authentication'],
    [
      'NOAUTH inside the ready check',
      new Error('Ready check failed: NOAUTH Authentication required.'),
      'authentication',
    ],
    ['LOADING', new ReplyError('LOADING Redis is loading the dataset in memory'), 'transient'],
    ['BUSY', new ReplyError('BUSY Redis is busy running a script.'), 'transient'],
    ['TRYAGAIN', new ReplyError('TRYAGAIN Multiple keys request during rehashing of slot'), 'transient'],
    ['CLUSTERDOWN', new ReplyError('CLUSTERDOWN The cluster is down'), 'transient'],
    ['MASTERDOWN', new ReplyError('MASTERDOWN Link with MASTER is down'), 'transient'],
    ['READONLY', new ReplyError("READONLY You can't write against a read only replica."), 'transient'],
    ['OOM', new ReplyError("OOM command not allowed when used memory > 'maxmemory'."), 'transient'],
    [
      'WRONGTYPE',
      new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'),
      'permanent',
    ],
    ['ERR', new ReplyError("ERR unknown command 'UNLINK'"), 'permanent'],
    ['EXECABORT', new ReplyError('EXECABORT Transaction discarded because of previous errors.'), 'permanent'],
    ['Connection is closed.', new Error('Connection is closed.'), 'connection'],
    [
      'offline queue off',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      'connection',
    ],
    [
      'ECONNREFUSED',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'connection',
    ],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'connection'],
    ['Command timed out', new Error('Command timed out'), 'timeout'],
    ['something unknown', new Error('something new'), 'transient'],
  ]
  for (const [what, err, kind] of cases) {
    it(`${what} is ${kind}`, () => {
      expect(classifyRedisFailure(err, ready).kind).toBe(kind)
    })
  }

  it('ioredis giving up after maxRetriesPerRequest is a connection failure', () => {
    expect(classifyRedisFailure(new MaxRetriesPerRequestError(1), ready).kind).toBe('connection')
  })

  it('a command that timed out while the client was not connected is a connection failure', () => {
    expect(
      classifyRedisFailure(new Error('Command timed out'), { ready: false, commandTimeoutMs: 2000 }).kind,
    ).toBe('connection')
  })
})
