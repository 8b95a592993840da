import type { BackendErrorKind } from '../errors.js'

/** What a failed ioredis command means: its kind, and what the user can do about it. */
export interface RedisFailure {
  readonly kind: BackendErrorKind
  readonly fix: string
}

/** What the client looked like when the command failed; a timeout means different things then. */
export interface ClientState {
  /** ioredis `status === 'ready'`: connected, authenticated, ready check passed. */
  readonly ready: boolean
  /** The command timeout in milliseconds, when one is set. */
  readonly commandTimeoutMs: number | undefined
}

const UNREACHABLE: RedisFailure = {
  kind: 'connection',
  fix: 'check that Redis is running and reachable at that address',
}

const CREDENTIALS: RedisFailure = {
  kind: 'authentication',
  fix: 'check the username and password in the URL (redis://user:password@host:port) against the server (requirepass or ACL)',
}

const REFUSED: RedisFailure = {
  kind: 'permanent',
  fix: 'the server refused the command and retrying will not help: check the server version and whether commands were renamed or disabled',
}

const transient = (fix: string): RedisFailure => ({ kind: 'transient', fix })

/** Server replies by their first word (the error code Redis puts in front of every error reply). */
const REPLY_CODES: Readonly<Record<string, RedisFailure>> = {
  NOAUTH: CREDENTIALS,
  WRONGPASS: CREDENTIALS,
  NOPERM: {
    kind: 'authentication',
    fix: "the user's ACL does not allow this command: grant GET, SET, PTTL, TTL, EXISTS, MGET, UNLINK, SCAN, MULTI and EXEC on the key prefix",
  },
  LOADING: transient('Redis is loading its dataset into memory; it serves again when loading ends'),
  BUSY: transient(
    'a script or function is running too long on the server; it serves again when that ends (SCRIPT KILL or FUNCTION KILL stops it)',
  ),
  TRYAGAIN: transient('a cluster slot is being migrated; retry shortly'),
  CLUSTERDOWN: transient('the cluster cannot serve every slot; it serves again when the cluster is healthy'),
  MASTERDOWN: transient(
    'this replica lost its primary (replica-serve-stale-data no); connect to the primary or wait for the link to return',
  ),
  READONLY: transient(
    'this server is a read-only replica: point the URL at the primary (after a failover, reconnecting reaches the new one)',
  ),
  OOM: transient(
    'Redis reached maxmemory and evicts nothing: raise maxmemory or set maxmemory-policy (allkeys-lru suits a cache)',
  ),
  MISCONF: transient(
    'Redis refuses writes because it cannot persist to disk: fix the RDB/AOF error on the server',
  ),
  NOREPLICAS: transient('fewer replicas acknowledge writes than min-replicas-to-write asks for'),
  WRONGTYPE: {
    kind: 'permanent',
    fix: 'another application stores a non-string value under this key: give cachekit its own keyPrefix or database',
  },
}

// Socket errors from node:net, node:dns and node:tls that mean the server was not reached.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
])

// Messages ioredis uses when a command cannot be sent or its connection went away.
const CONNECTION_MESSAGES = [
  'Connection is closed.',
  "Stream isn't writeable",
  'Command aborted due to connection close',
  'None of startup nodes is available',
  'Failed to refresh slots cache.',
  'Socket timeout.',
  'connect ETIMEDOUT',
]

// ioredis wraps a failed handshake reply (NOAUTH on the ready check) in this prefix.
const READY_CHECK = 'Ready check failed: '

function classifyReply(message: string): RedisFailure {
  const code = /^[A-Z]+/.exec(message)?.[0] ?? ''
  const known = REPLY_CODES[code]
  if (known !== undefined) return known
  // Redis before 6 answered a wrong password with a plain ERR.
  if (/^ERR invalid (username-)?password/.test(message)) return CREDENTIALS
  return REFUSED
}

/** Maps what ioredis reports for a failed command to a kind and a fix. */
export function classifyRedisFailure(err: unknown, state: ClientState): RedisFailure {
  if (!(err instanceof Error))
    return transient('an unexpected failure; it may pass, check the server if it persists')
  const { message, name } = err
  if (name === 'ReplyError') return classifyReply(message)
  if (message.startsWith(READY_CHECK)) return classifyReply(message.slice(READY_CHECK.length))
  if (message === 'Command timed out') {
    // A command that timed out while the client was reconnecting waited in the offline queue: the
    // server was not reached, so the failure is the connection, not a slow server.
    if (!state.ready) return UNREACHABLE
    const within = state.commandTimeoutMs === undefined ? '' : ` within ${state.commandTimeoutMs} ms`
    return {
      kind: 'timeout',
      fix: `Redis did not answer${within}: check the server's load (SLOWLOG GET, long scripts, big keys) and the network latency`,
    }
  }
  if (
    name === 'MaxRetriesPerRequestError' ||
    name === 'AbortError' ||
    name === 'InterruptError' ||
    name === 'NotConnectedYet'
  ) {
    return UNREACHABLE
  }
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return UNREACHABLE
  if (CONNECTION_MESSAGES.some((start) => message.startsWith(start))) return UNREACHABLE
  return transient('an unexpected failure; it may pass, check the server if it persists')
}
