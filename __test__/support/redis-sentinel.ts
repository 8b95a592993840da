/**
 * A real Sentinel set on loopback for the topology tests: one primary, one replica and three
 * `redis-server --sentinel` processes (generated config files in a temp dir, quorum 2, a primary is
 * down after 1 s of silence, a failover may take 3 s). `stop()` kills every process and removes
 * the dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePorts, RedisNodeProcess } from './redis-cluster.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface SentinelSettings {
  /** The name the sentinels monitor the primary under. */
  readonly name?: string
  /** `down-after-milliseconds`: silence before a sentinel thinks the primary is down. */
  readonly downAfterMs?: number
  /** `failover-timeout`. */
  readonly failoverTimeoutMs?: number
}

export interface RedisSentinelProcesses {
  readonly name: string
  /** The primary and the replica, as started (which is primary changes with a failover). */
  readonly servers: readonly RedisNodeProcess[]
  readonly sentinels: readonly RedisNodeProcess[]
  /** `{ host, port }` of every sentinel: what a client is given. */
  readonly sentinelAddresses: ReadonlyArray<{ host: string; port: number }>
  /** The server the sentinels currently name as primary. */
  primary(): Promise<RedisNodeProcess>
  /**
   * Resolves once every live sentinel names the same live primary, that primary says it is one, and
   * (when `replicas` is 1) a replica is linked to it and in sync (state online).
   */
  settled(options?: { timeoutMs?: number; replicas?: 0 | 1 }): Promise<RedisNodeProcess>
  stop(): Promise<void>
}

/** Sends one command to one server on a short-lived connection. */
async function ask(port: number, ...args: string[]): Promise<unknown> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    return await client.call(...(args as [string, ...string[]]))
  } finally {
    client.disconnect()
  }
}

const serverArgs = (port: number, dir: string) => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--dir',
  dir,
  '--save',
  '',
  '--appendonly',
  'no',
  // A replica that was the primary syncs with the new one at once, not after the default 5 s wait.
  '--repl-diskless-sync-delay',
  '0',
]

export async function startRedisSentinel(settings: SentinelSettings = {}): Promise<RedisSentinelProcesses> {
  const name = settings.name ?? 'mymaster'
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-sentinel-'))
  const [primaryPort, replicaPort, ...sentinelPorts] = (await freePorts(5)) as [number, number, ...number[]]
  const servers: RedisNodeProcess[] = []
  const sentinels: RedisNodeProcess[] = []
  const stop = async () => {
    await Promise.all([...sentinels, ...servers].map((p) => p.kill()))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    servers.push(await RedisNodeProcess.start(primaryPort, serverArgs(primaryPort, dir)))
    servers.push(
      await RedisNodeProcess.start(replicaPort, [
        ...serverArgs(replicaPort, dir),
        '--replicaof',
        '127.0.0.1',
        String(primaryPort),
      ]),
    )
    for (const port of sentinelPorts) {
      // A sentinel rewrites its config file (what it learned, its id), so each has its own.
      const config = join(dir, `sentinel-${port}.conf`)
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${name} ${settings.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${name} ${settings.failoverTimeoutMs ?? 3000}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      )
      sentinels.push(await RedisNodeProcess.start(port, [config, '--sentinel']))
    }
  } catch (err) {
    await stop()
    throw err
  }

  const byPort = (port: number) => servers.find((s) => s.port === port)
  const named = async (sentinel: RedisNodeProcess) => {
    const reply = (await ask(sentinel.port, 'SENTINEL', 'get-master-addr-by-name', name)) as
      | [string, string]
      | null
    return reply === null ? undefined : byPort(Number(reply[1]))
  }
  const processes: RedisSentinelProcesses = {
    name,
    servers,
    sentinels,
    sentinelAddresses: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
    primary: async () => {
      for (const sentinel of sentinels.filter((s) => s.alive)) {
        const primary = await named(sentinel).catch(() => undefined)
        if (primary !== undefined) return primary
      }
      throw new Error('no sentinel names a primary')
    },
    settled: async ({ timeoutMs = 20_000, replicas = 1 } = {}) => {
      const deadline = Date.now() + timeoutMs
      let last = ''
      while (Date.now() < deadline) {
        try {
          const live = sentinels.filter((s) => s.alive)
          const views = await Promise.all(live.map(named))
          const primary = views[0]
          if (primary?.alive && views.every((v) => v === primary)) {
            const replication = String(await ask(primary.port, 'INFO', 'replication'))
            // Linked and done syncing: the sentinels promote only a replica whose link is up.
            const linked = [...replication.matchAll(/^slave\d+:.*state=online/gm)].length
            // Each sentinel must know the other two and the replica, or a failover cannot be agreed.
            const known = await Promise.all(
              live.map(async (s) => {
                const fields = (await ask(s.port, 'SENTINEL', 'master', name)) as string[]
                const field = (f: string) => Number(fields[fields.indexOf(f) + 1])
                return field('num-other-sentinels') >= live.length - 1 && field('num-slaves') >= replicas
              }),
            )
            if (/role:master/.test(replication) && linked >= replicas && known.every(Boolean)) return primary
            last = `primary ${primary.port}: ${replication.includes('role:master') ? 'master' : 'not master yet'}, ${linked} replica(s) linked, sentinels aware: ${known.join(',')}`
          } else {
            last = `sentinels name ${views.map((v) => v?.port ?? 'none').join(', ')}`
          }
        } catch (err) {
          last = (err as Error).message
        }
        await sleep(100)
      }
      throw new Error(`the Sentinel set did not settle within ${timeoutMs} ms (${last})`)
    },
    stop,
  }
  try {
    await processes.settled()
  } catch (err) {
    await stop()
    throw err
  }
  return processes
}
