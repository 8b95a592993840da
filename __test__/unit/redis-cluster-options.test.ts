/**
 * RedisBackend's `cluster` and `sentinel` options: checked like every option (did-you-mean,
 * required fields, address forms), what they resolve to, the settings of the connections the
 * backend opens, how a client passed in is recognised, and what cluster failures mean.
 */
import { Cluster, Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { PartialSetManyError } from '../../src/backends/redis-cluster-commands.js'
import { classifyClusterFailure } from '../../src/backends/redis-cluster-state.js'
import {
  BACKSTOP_FACTOR,
  CLUSTER_MAX_REDIRECTIONS,
  clusterRetryDelay,
} from '../../src/backends/redis-connection.js'
import { resolveCluster, resolveSentinel } from '../../src/backends/redis-topology-options.js'
import { CachekitError, RedisBackend } from '../../src/index.js'

const opened: RedisBackend[] = []
const clients: Array<Redis | Cluster> = []
afterEach(async () => {
  for (const backend of opened.splice(0)) await backend.close()
  for (const client of clients.splice(0)) client.disconnect()
})

// Nothing listens on port 1: the connections these tests open never connect.
const NOWHERE = 'redis://127.0.0.1:1'

function refusal(options: unknown): CachekitError {
  try {
    opened.push(new RedisBackend(options as ConstructorParameters<typeof RedisBackend>[0]))
  } catch (err) {
    expect(err).toBeInstanceOf(CachekitError)
    return err as CachekitError
  }
  throw new Error('expected a ConfigurationError')
}

describe('where the backend connects: exactly one of url, cluster, sentinel, client', () => {
  it('none or two of them is refused, naming every form', () => {
    const none = refusal({})
    expect(none.code).toBe('INVALID_REDIS_OPTIONS')
    expect(none.message).toMatch(/\{ url \}, \{ cluster \}, \{ sentinel \} or \{ client \}/)
    const two = refusal({ url: NOWHERE, cluster: { nodes: [NOWHERE] } })
    expect(two.message).toMatch(/got url and cluster/)
    expect(refusal(undefined).code).toBe('INVALID_REDIS_OPTIONS')
  })

  it('misspelt options get a did-you-mean, at every level', () => {
    expect(refusal({ clustr: { nodes: [NOWHERE] } }).message).toMatch(/did you mean "cluster"\?/)
    expect(refusal({ cluster: { node: [NOWHERE] } }).message).toMatch(/did you mean "nodes"\?/)
    expect(refusal({ sentinel: { name: 'm', sentinals: ['127.0.0.1:1'] } }).message).toMatch(
      /did you mean "sentinels"\?/,
    )
    expect(refusal({ sentinel: { name: 'm', sentinels: [{ host: 'h', prt: 1 }] } }).message).toMatch(
      /did you mean "port"\?/,
    )
  })

  it('required fields are named with an example', () => {
    expect(refusal({ cluster: {} }).message).toMatch(
      /options\.cluster\.nodes is required: pass .*nodes: \['redis:/,
    )
    expect(refusal({ sentinel: { sentinels: ['127.0.0.1:1'] } }).message).toMatch(
      /options\.sentinel\.name is required.*mymaster/,
    )
    expect(refusal({ sentinel: { name: 'm' } }).message).toMatch(/options\.sentinel\.sentinels is required/)
  })

  it('addresses in a form neither string nor { host, port } are refused with the forms', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ cluster: { nodes: [] } }, /nodes must be a non-empty array of cluster nodes/],
      [{ cluster: { nodes: 'redis://127.0.0.1:1' } }, /nodes must be a non-empty array/],
      [{ cluster: { nodes: ['a:b:c'] } }, /nodes\[0\] must be 'redis:\/\/\[user:password@\]host:port'/],
      [{ cluster: { nodes: ['127.0.0.1:70000'] } }, /nodes\[0\] must be/],
      [{ cluster: { nodes: [{ host: '127.0.0.1' }] } }, /nodes\[0\]\.port must be set/],
      [
        { cluster: { nodes: [{ host: '127.0.0.1', port: 0 }] } },
        /port must be a port number from 1 to 65535/,
      ],
      [
        { sentinel: { name: 'm', sentinels: ['redis://127.0.0.1:26379'] } },
        /sentinels\[0\] must be 'host:port' or \{ host, port \}/,
      ],
      [{ sentinel: { name: '', sentinels: ['h:1'] } }, /name must be a non-empty string/],
      [{ sentinel: { name: 'm', sentinels: ['h:1'], db: -1 } }, /db must be a database number/],
    ]
    for (const [options, message] of cases) {
      const err = refusal(options)
      expect(err.code, JSON.stringify(options)).toBe('INVALID_OPTION')
      expect(err.message, JSON.stringify(options)).toMatch(message)
    }
  })

  it('TLS node URLs, a database on a cluster and conflicting credentials are refused saying what to do', () => {
    expect(refusal({ cluster: { nodes: ['rediss://10.0.0.1:6379'] } }).message).toMatch(
      /TLS.*client: new Cluster\(nodes, \{ redisOptions: \{ tls: \{\} \} \}\)/,
    )
    expect(refusal({ cluster: { nodes: ['redis://10.0.0.1:6379/2'] } }).message).toMatch(
      /database 2: a Redis Cluster has database 0 only/,
    )
    expect(
      refusal({ cluster: { nodes: ['redis://:one@10.0.0.1:6379', 'redis://:two@10.0.0.2:6379'] } }).message,
    ).toMatch(/different passwords.*give the password once/)
    expect(refusal({ cluster: { nodes: ['redis://:one@10.0.0.1:6379'], password: 'two' } }).message).toMatch(
      /different passwords/,
    )
  })
})

describe('what the options resolve to', () => {
  it('cluster nodes: URLs, host:port, [v6]:port and objects; credentials from the URLs or the option', () => {
    expect(
      resolveCluster({
        nodes: [
          'redis://app:s%40cret@10.0.0.1:7000',
          '10.0.0.2:7001',
          '[::1]:7002',
          'cache-3',
          { host: 'h', port: 7 },
        ],
      }),
    ).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
        { host: 'cache-3', port: 6379 },
        { host: 'h', port: 7 },
      ],
      auth: { username: 'app', password: 's@cret' },
    })
    expect(resolveCluster({ nodes: ['10.0.0.1:7000'], password: 'p' }).auth).toEqual({
      username: undefined,
      password: 'p',
    })
  })

  it('sentinels: host:port (26379 when left out) and objects', () => {
    expect(
      resolveSentinel({
        name: 'main',
        sentinels: ['10.0.0.1', '10.0.0.2:26380', { host: 'h', port: 1 }],
        db: 3,
      }),
    ).toMatchObject({
      name: 'main',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: 'h', port: 1 },
      ],
      db: 3,
    })
  })
})

describe('connections the backend opens', () => {
  it('a cluster: no offline queue, no re-send after a dropped connection, bounded redirections and retries', () => {
    const backend = new RedisBackend({
      cluster: { nodes: ['127.0.0.1:1'], password: 'pw' },
      reliability: { timeoutMs: 150 },
    })
    opened.push(backend)
    expect(backend.topology).toBe('cluster')
    const options = (backend.client as Cluster).options
    expect(options).toMatchObject({
      enableOfflineQueue: false,
      retryDelayOnFailover: 0,
      retryDelayOnMoved: 0,
      maxRedirections: CLUSTER_MAX_REDIRECTIONS,
      retryDelayOnClusterDown: clusterRetryDelay(150),
      retryDelayOnTryAgain: clusterRetryDelay(150),
      slotsRefreshTimeout: 150 * BACKSTOP_FACTOR,
    })
    expect(options.redisOptions).toMatchObject({
      commandTimeout: 150 * BACKSTOP_FACTOR,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      password: 'pw',
    })
    expect(typeof options.clusterRetryStrategy).toBe('function')
    // Retries after CLUSTERDOWN / TRYAGAIN stay within about one deadline.
    expect(CLUSTER_MAX_REDIRECTIONS * clusterRetryDelay(150)).toBeLessThanOrEqual(
      150 + CLUSTER_MAX_REDIRECTIONS,
    )
    expect(CLUSTER_MAX_REDIRECTIONS * clusterRetryDelay(200)).toBeLessThanOrEqual(200)
  })

  it('a Sentinel-managed primary: the single connection settings, sentinels asked within the backstop', () => {
    const backend = new RedisBackend({
      sentinel: { name: 'main', sentinels: ['127.0.0.1:1'], password: 'pw', sentinelPassword: 'spw', db: 2 },
      reliability: { timeoutMs: 150 },
    })
    opened.push(backend)
    expect(backend.topology).toBe('sentinel')
    expect((backend.client as Redis).options).toMatchObject({
      name: 'main',
      sentinels: [{ host: '127.0.0.1', port: 1 }],
      password: 'pw',
      sentinelPassword: 'spw',
      db: 2,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: 150 * BACKSTOP_FACTOR,
      sentinelCommandTimeout: 150 * BACKSTOP_FACTOR,
      failoverDetector: true,
    })
  })

  it('errors name the servers, never a credential', async () => {
    const backend = new RedisBackend({
      cluster: { nodes: ['redis://user:hunter2@127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3', '127.0.0.1:4'] },
      reliability: { timeoutMs: 50 },
    })
    opened.push(backend)
    const err = (await backend.get('k').catch((e: unknown) => e)) as Error
    expect(err.message).toMatch(/the cluster of 127\.0\.0\.1:1, 127\.0\.0\.1:2, 127\.0\.0\.1:3 \(\+1 more\)/)
    expect(err.message).not.toMatch(/hunter2/)
  })
})

describe('a client passed in', () => {
  it('is recognised as one server, a Sentinel-configured client or a Cluster', async () => {
    const single = new Redis({ lazyConnect: true })
    const sentinel = new Redis({
      lazyConnect: true,
      sentinels: [{ host: '127.0.0.1', port: 1 }],
      name: 'main',
    })
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true })
    clients.push(single, sentinel, cluster)
    expect(new RedisBackend({ client: single }).topology).toBe('single')
    expect(new RedisBackend({ client: sentinel }).topology).toBe('sentinel')
    const onCluster = new RedisBackend({ client: cluster })
    expect(onCluster.topology).toBe('cluster')
    expect(onCluster.client).toBe(cluster)
  })
})

describe('what cluster failures mean', () => {
  const state = { ready: true, commandTimeoutMs: 1000 }
  const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' })

  it('redirections that never settle, an aborted transaction, a cluster not ready', () => {
    expect(
      classifyClusterFailure(
        new Error('Too many Cluster redirections. Last error: ReplyError: CLUSTERDOWN The cluster is down'),
        state,
      ).kind,
    ).toBe('transient')
    expect(
      classifyClusterFailure(
        new Error('Too many Cluster redirections. Last error: Error: Connection is closed.'),
        state,
      ).kind,
    ).toBe('connection')
    expect(
      classifyClusterFailure(
        new Error('Too many Cluster redirections. Last error: ReplyError: MOVED 1 h:1'),
        state,
      ).fix,
    ).toMatch(/slots kept moving/)
    expect(classifyClusterFailure(reply('MOVED 12552 127.0.0.1:7000'), state).kind).toBe('transient')
    const aborted = Object.assign(reply('EXECABORT Transaction discarded because of previous errors.'), {
      previousErrors: [reply('MOVED 12552 127.0.0.1:7000')],
    })
    expect(classifyClusterFailure(aborted, state).kind).toBe('transient')
    expect(
      classifyClusterFailure(reply('EXECABORT Transaction discarded because of previous errors.'), state)
        .kind,
    ).toBe('permanent')
    expect(
      classifyClusterFailure(new Error("Cluster isn't ready and enableOfflineQueue options is false"), state),
    ).toEqual({
      kind: 'connection',
      fix: expect.stringMatching(/cluster_state:ok/),
    })
    // One connection's failures keep their meaning.
    expect(classifyClusterFailure(reply('NOAUTH Authentication required.'), state).kind).toBe(
      'authentication',
    )
  })

  it('a setMany that failed in some slots is what its first failure was, and says what was rolled back', () => {
    const closed = new Error('Connection is closed.')
    const all = new PartialSetManyError(closed, 5, 2, 3, 3)
    expect(classifyClusterFailure(all, state).kind).toBe('connection')
    expect(all.message).toBe(
      "2 of the batch's 5 slots failed (Connection is closed.); the 3 slots written were deleted again (their keys now miss)",
    )
    expect(new PartialSetManyError(closed, 5, 2, 3, 1).message).toMatch(
      /1 of the 3 slots written were deleted again; the keys of the other 2 keep the new values/,
    )
    expect(new PartialSetManyError(closed, 2, 2, 0, 0).message).toMatch(/no slot was written/)
  })
})
