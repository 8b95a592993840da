/**
 * The `cluster` and `sentinel` options of RedisBackend: their shapes (checked like every option,
 * unknown keys with a did-you-mean) and what they resolve to (addresses and credentials).
 */
import { ConfigurationError } from '../errors.js'
import { type Check, checkOptions, invalid, isNonEmptyString, type Shape } from '../validate.js'
import type { RedisAddress, RedisAuth, SentinelTarget } from './redis-connection.js'

/** A server's address as the options take it: `'host:port'`, or `{ host, port }`. */
export type RedisAddressOption = string | { readonly host: string; readonly port: number }

export interface RedisClusterOptions {
  /**
   * Some nodes of the cluster (the client learns the others from them): `redis://[user:password@]host:port`
   * URLs, `'host:port'` or `{ host, port }`. Credentials in URLs apply to every node.
   */
  nodes: readonly RedisAddressOption[]
  /** ACL user of every node (or in the node URLs). */
  username?: string
  /** Password of every node (or in the node URLs). */
  password?: string
}

export interface RedisSentinelOptions {
  /** The name the sentinels monitor the primary under (`sentinel monitor <name> ...`). */
  name: string
  /** Some of the sentinels: `'host:port'` or `{ host, port }` (port 26379 when left out of a string). */
  sentinels: readonly RedisAddressOption[]
  /** ACL user of the primary and replicas. */
  username?: string
  /** Password of the primary and replicas. */
  password?: string
  /** ACL user of the sentinels, when they ask for one. */
  sentinelUsername?: string
  /** Password of the sentinels (`requirepass` of sentinel.conf), when they ask for one. */
  sentinelPassword?: string
  /** Database number on the primary. */
  db?: number
}

/** A cluster's seed nodes and credentials, resolved from the option. */
export interface ClusterTarget {
  readonly nodes: readonly RedisAddress[]
  readonly auth: RedisAuth
}

const isString: Check = (v, path) => {
  if (typeof v !== 'string') invalid(path, v, 'a string')
}

const ADDRESS_SHAPE: Shape = {
  host: isNonEmptyString,
  port: (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
      invalid(path, v, 'a port number from 1 to 65535')
    }
  },
}

function addressList(what: string, forms: string): Check {
  return (v, path) => {
    if (!Array.isArray(v) || v.length === 0) invalid(path, v, `a non-empty array of ${what}: ${forms}`)
    v.forEach((item: unknown, i) => {
      const at = `${path}[${i}]`
      if (typeof item === 'string') {
        if (item === '') invalid(at, item, forms)
        return
      }
      checkOptions(item, ADDRESS_SHAPE, `an address (${forms})`, at)
      for (const key of ['host', 'port']) {
        if ((item as Record<string, unknown>)[key] === undefined) invalid(`${at}.${key}`, undefined, 'set')
      }
    })
  }
}

const NODE_FORMS = "'redis://[user:password@]host:port', 'host:port' or { host, port }"
const SENTINEL_FORMS = "'host:port' or { host, port }"

const CLUSTER_SHAPE: Shape = {
  nodes: addressList('cluster nodes', NODE_FORMS),
  username: isString,
  password: isString,
}

const SENTINEL_SHAPE: Shape = {
  name: isNonEmptyString,
  sentinels: addressList('sentinels', SENTINEL_FORMS),
  username: isString,
  password: isString,
  sentinelUsername: isString,
  sentinelPassword: isString,
  db: (v, path) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      invalid(path, v, 'a database number, 0 or more')
  },
}

function required(value: unknown, path: string, key: string, example: string): void {
  if ((value as Record<string, unknown>)[key] === undefined) {
    throw new ConfigurationError('INVALID_OPTION', `Option ${path}.${key} is required: pass ${example}`)
  }
}

/** Checks the `cluster` option's shape (the addresses' forms are checked when it is resolved). */
export const checkCluster: Check = (v, path) => {
  checkOptions(v, CLUSTER_SHAPE, 'the cluster option', path)
  required(v, path, 'nodes', "the addresses of some cluster nodes, e.g. { nodes: ['redis://10.0.0.1:6379'] }")
}

/** Checks the `sentinel` option's shape. */
export const checkSentinel: Check = (v, path) => {
  checkOptions(v, SENTINEL_SHAPE, 'the sentinel option', path)
  required(v, path, 'name', "the name the sentinels monitor the primary under, e.g. { name: 'mymaster' }")
  required(v, path, 'sentinels', "the addresses of some sentinels, e.g. { sentinels: ['10.0.0.1:26379'] }")
}

/** `host:port` (`[v6]:port` too); the port falls back to `defaultPort` when left out. */
function hostPort(text: string, defaultPort: number, path: string, forms: string): RedisAddress {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  const plain = /^([^:/@\s]+)(?::(\d+))?$/.exec(text)
  const match = bracketed ?? plain
  const port = match?.[2] === undefined ? defaultPort : Number(match[2])
  if (match === null || !(port >= 1 && port <= 65535)) invalid(path, text, forms)
  return { host: match[1] as string, port }
}

interface ParsedNode {
  readonly address: RedisAddress
  readonly username?: string
  readonly password?: string
}

function parseNode(option: RedisAddressOption, path: string): ParsedNode {
  if (typeof option !== 'string') return { address: { host: option.host, port: option.port } }
  if (option.startsWith('rediss://')) {
    throw new ConfigurationError(
      'INVALID_OPTION',
      `Option ${path} is a rediss:// (TLS) URL: RedisBackend opens cluster connections without TLS; ` +
        'for TLS pass your own client: new RedisBackend({ client: new Cluster(nodes, { redisOptions: { tls: {} } }) })',
    )
  }
  if (!option.startsWith('redis://')) return { address: hostPort(option, 6379, path, NODE_FORMS) }
  let url: URL
  try {
    url = new URL(option)
  } catch {
    invalid(path, option, NODE_FORMS)
  }
  if (url.pathname !== '' && url.pathname !== '/' && url.pathname !== '/0') {
    throw new ConfigurationError(
      'INVALID_OPTION',
      `Option ${path} names database ${url.pathname.slice(1)}: a Redis Cluster has database 0 only; drop the path from the URL (or use a keyPrefix to separate applications)`,
    )
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = url.port === '' ? 6379 : Number(url.port)
  return {
    address: { host, port },
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
  }
}

/** One credential from the explicit option and every URL that names it; they must agree. */
function agreed(
  explicit: string | undefined,
  fromUrls: ReadonlyArray<string | undefined>,
  path: string,
  what: 'username' | 'password',
): string | undefined {
  const named = new Set(fromUrls.filter((v): v is string => v !== undefined))
  if (explicit !== undefined) named.add(explicit)
  if (named.size > 1) {
    throw new ConfigurationError(
      'INVALID_OPTION',
      `Option ${path} gives different ${what}s (in the node URLs and/or ${path}.${what}): every node of a cluster takes the same credentials; give the ${what} once, in ${path}.${what}`,
    )
  }
  return named.values().next().value
}

/** The seed nodes and credentials of a checked `cluster` option. */
export function resolveCluster(options: RedisClusterOptions, path = 'options.cluster'): ClusterTarget {
  const parsed = options.nodes.map((node, i) => parseNode(node, `${path}.nodes[${i}]`))
  return {
    nodes: parsed.map((p) => p.address),
    auth: {
      username: agreed(
        options.username,
        parsed.map((p) => p.username),
        path,
        'username',
      ),
      password: agreed(
        options.password,
        parsed.map((p) => p.password),
        path,
        'password',
      ),
    },
  }
}

/** The target of a checked `sentinel` option. */
export function resolveSentinel(options: RedisSentinelOptions, path = 'options.sentinel'): SentinelTarget {
  return {
    name: options.name,
    sentinels: options.sentinels.map((s, i) =>
      typeof s === 'string'
        ? hostPort(s, 26379, `${path}.sentinels[${i}]`, SENTINEL_FORMS)
        : { host: s.host, port: s.port },
    ),
    auth: { username: options.username, password: options.password },
    sentinelUsername: options.sentinelUsername,
    sentinelPassword: options.sentinelPassword,
    db: options.db,
  }
}

/** How errors and health name a set of addresses (never a credential). */
export function describeAddresses(addresses: readonly RedisAddress[]): string {
  const shown = addresses
    .slice(0, 3)
    .map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`))
  return addresses.length > 3 ? `${shown.join(', ')} (+${addresses.length - 3} more)` : shown.join(', ')
}
