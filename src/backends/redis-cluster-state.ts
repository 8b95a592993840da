/**
 * What a cluster's failures mean, and its health: the failures ioredis' Cluster reports on top of
 * those of one connection, and `CLUSTER INFO` plus a PING of every primary for `health()`.
 */
import type { Cluster } from 'ioredis'
import { firstPreviousError, PartialSetManyError } from './redis-cluster-commands.js'
import type { RedisHealth } from './redis-connection.js'
import { type ClientState, classifyRedisFailure, type RedisFailure } from './redis-errors.js'

const CLUSTER_UNREACHABLE: RedisFailure = {
  kind: 'connection',
  fix: 'check that the cluster nodes are running and reachable from here (CLUSTER INFO on a node should say cluster_state:ok)',
}

const SLOTS_MOVING: RedisFailure = {
  kind: 'transient',
  fix: "the cluster's slots kept moving (a failover or resharding in progress); it passes once the cluster settles",
}

// ioredis gives up after its redirection limit with this text and String(last error) after it.
const REDIRECTIONS = /^Too many Cluster redirections\. Last error: (?:(\w+): )?([\s\S]*)$/

/** Classifies what a command on a Cluster failed with (one connection's failures included). */
export function classifyClusterFailure(err: unknown, state: ClientState): RedisFailure {
  if (err instanceof PartialSetManyError) return classifyClusterFailure(err.cause, state)
  // A transaction refused for what its commands were answered (MOVED, CLUSTERDOWN, ...): those decide.
  const earlier = firstPreviousError(err)
  if (earlier !== undefined) return classifyClusterFailure(earlier, state)
  if (err instanceof Error) {
    if (err.name === 'ReplyError' && /^(MOVED|ASK) /.test(err.message)) return SLOTS_MOVING
    const redirected = REDIRECTIONS.exec(err.message)
    if (redirected !== null) {
      const [, name, message] = redirected
      if (/^(MOVED|ASK) /.test(message ?? '')) return SLOTS_MOVING
      const last = new Error(message)
      if (name !== undefined) last.name = name
      return classifyClusterFailure(last, state)
    }
    if (err.message.startsWith("Cluster isn't ready")) return CLUSTER_UNREACHABLE
  }
  return classifyRedisFailure(err, state)
}

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ms} ms`)), ms)
  })
  return Promise.race([work, late]).finally(() => clearTimeout(timer))
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * `CLUSTER INFO` from any node, then a PING to every primary, within `timeoutMs` in all.
 * Unhealthy: not connected, CLUSTER INFO failed, `cluster_state` is not `ok` (the cluster refuses
 * commands), or no primary answered. Degraded: some primary did not answer (its slots miss until a
 * replica takes over), or the check took over half the deadline.
 */
export async function clusterHealth(
  cluster: Cluster,
  where: string,
  timeoutMs: number,
  lazyAllowed: boolean,
): Promise<RedisHealth> {
  const connection = cluster.status
  const unhealthy = (reason: string, state?: RedisHealth['cluster']): RedisHealth => ({
    status: 'unhealthy',
    reasons: [`Redis Cluster at ${where}: ${reason}`],
    latencyMs: null,
    connection: cluster.status,
    ...(state === undefined ? {} : { cluster: state }),
  })
  if (connection !== 'ready' && !(connection === 'wait' && lazyAllowed)) {
    return unhealthy(`not connected (ioredis status ${connection})`)
  }
  const started = performance.now()
  let info: string
  try {
    info = await within(cluster.cluster('INFO'), timeoutMs, 'CLUSTER INFO')
  } catch (err) {
    return unhealthy(`CLUSTER INFO failed: ${reasonOf(err)}`)
  }
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim()
  const state = field('cluster_state') ?? 'unknown'
  const primaries = cluster.nodes('master')
  const left = Math.max(1, timeoutMs - (performance.now() - started))
  const pings = await Promise.allSettled(primaries.map((primary) => within(primary.ping(), left, 'PING')))
  const latencyMs = performance.now() - started
  const silent = primaries
    .map((primary, i) => ({ primary, outcome: pings[i] }))
    .filter(({ outcome }) => outcome?.status === 'rejected')
  const summary = { state, primaries: primaries.length, reachable: primaries.length - silent.length }
  if (state !== 'ok') {
    return unhealthy(
      `cluster_state:${state} (slots served: ${field('cluster_slots_ok') ?? '?'} of 16384): the cluster refuses commands until every slot is served`,
      summary,
    )
  }
  if (primaries.length > 0 && silent.length === primaries.length) {
    return unhealthy('no primary answered a PING', summary)
  }
  const reasons = silent.map(({ primary, outcome }) => {
    const { host, port } = primary.options
    const why = outcome?.status === 'rejected' ? reasonOf(outcome.reason) : ''
    return `Redis Cluster at ${where}: primary ${host}:${port} did not answer a PING (${why}); its slots miss until a replica takes over`
  })
  if (latencyMs > timeoutMs / 2) {
    reasons.push(
      `Redis Cluster at ${where}: the check took ${latencyMs.toFixed(1)} ms, over half the ${timeoutMs} ms deadline`,
    )
  }
  return {
    status: reasons.length > 0 ? 'degraded' : 'healthy',
    reasons,
    latencyMs,
    connection: cluster.status,
    cluster: summary,
  }
}
