/**
 * A real Redis Cluster on loopback for the topology tests: six `redis-server --cluster-enabled yes`
 * processes on free ports (each with its own cluster config file and bus port, in a temp dir),
 * joined by `redis-cli --cluster create --cluster-replicas 1` into three primaries with a replica
 * each. `stop()` kills every process and removes the dir.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePort } from './redis-server.js'

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server'
const REDIS_CLI = process.env.REDIS_CLI_BIN ?? '/usr/bin/redis-cli'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `count` distinct free loopback ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < count) ports.add(await freePort())
  return [...ports]
}

/** Resolves true when something on the port answers a RESP PING (+PONG, or an error reply). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('data', (data) => done(/^[+-]/.test(data.toString())))
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
  })
}

/** One redis-server process (a cluster node, a Sentinel-managed server or a sentinel). */
export class RedisNodeProcess {
  readonly port: number
  readonly #child: ChildProcess
  readonly #exited: Promise<void>
  #stderr = ''

  private constructor(port: number, child: ChildProcess) {
    this.port = port
    this.#child = child
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()))
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString()
    })
  }

  /** Spawns `redis-server ...args` listening on `port` and waits (at most 10 s) until it answers. */
  static async start(port: number, args: readonly string[]): Promise<RedisNodeProcess> {
    const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    const node = new RedisNodeProcess(port, child)
    const deadline = Date.now() + 10_000
    while (!(await answers(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await node.kill()
        throw new Error(
          `redis-server ${args.join(' ')} did not start on port ${port}: ${node.#stderr || 'no output'}`,
        )
      }
      await sleep(20)
    }
    return node
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** SIGKILL: gone at once, no shutdown, its connections reset by the kernel; resolves once it exited. */
  async kill(): Promise<void> {
    if (this.alive) this.#child.kill('SIGKILL')
    await this.#exited
  }
}

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null)
        reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

/** One line of CLUSTER NODES. */
export interface ClusterNodeInfo {
  readonly id: string
  /** A replica's primary (its id); null for a primary. */
  readonly primaryId: string | null
  readonly port: number
  readonly role: 'master' | 'slave'
  readonly failed: boolean
  /** Slot ranges a primary serves, as [first, last]. */
  readonly slots: ReadonlyArray<readonly [number, number]>
}

export interface RedisClusterProcesses {
  readonly nodes: readonly RedisNodeProcess[]
  /** `redis://127.0.0.1:{port}` of every node: the seeds to give a client. */
  readonly urls: readonly string[]
  /** CLUSTER NODES as a live node sees it. */
  topology(): Promise<ClusterNodeInfo[]>
  /** The processes of the current primaries (by CLUSTER NODES of a live node). */
  primaries(): Promise<RedisNodeProcess[]>
  /** The current primaries that have a live replica: killing one of them is failed over. */
  replicatedPrimaries(): Promise<RedisNodeProcess[]>
  /**
   * Resolves once every live node reports cluster_state:ok and the same three primaries, each with
   * slots and each running (a killed primary stays listed, unflagged, for a node timeout).
   */
  settled(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

export interface ClusterSettings {
  /** `cluster-node-timeout`: how long a node may be unreachable before it is failed over. */
  readonly nodeTimeoutMs?: number
}

/** Sends one command to one node on a short-lived connection. */
async function ask(port: number, ...args: string[]): Promise<string> {
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
    return String(await client.call(...(args as [string, ...string[]])))
  } finally {
    client.disconnect()
  }
}

function parseNodes(text: string): ClusterNodeInfo[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', address = '', flags = '', primary = '-', , , , , ...slots] = line.trim().split(' ')
      const port = Number(/:(\d+)@/.exec(address)?.[1])
      const ranges = slots
        .filter((s) => /^\d/.test(s))
        .map((s) => {
          const [first, last = first] = s.split('-')
          return [Number(first), Number(last)] as const
        })
      return {
        id,
        primaryId: primary === '-' ? null : primary,
        port,
        role: flags.includes('master') ? ('master' as const) : ('slave' as const),
        failed: /fail/.test(flags),
        slots: ranges,
      }
    })
}

export async function startRedisCluster(settings: ClusterSettings = {}): Promise<RedisClusterProcesses> {
  for (const [file, install, variable] of [
    [REDIS_SERVER, 'redis-server', 'REDIS_SERVER_BIN'],
    [REDIS_CLI, 'redis-tools', 'REDIS_CLI_BIN'],
  ] as const) {
    if (!existsSync(file)) {
      throw new Error(
        `${file} not found: install it (apt-get install -y ${install}, or bash scripts/setup.sh) or set ${variable}`,
      )
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-cluster-'))
  const nodeTimeout = settings.nodeTimeoutMs ?? 1000
  const ports = await freePorts(12)
  const nodes: RedisNodeProcess[] = []
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.kill()))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    for (let i = 0; i < 6; i++) {
      const port = ports[i] as number
      nodes.push(
        await RedisNodeProcess.start(port, [
          '--port',
          String(port),
          // The bus port is given, not port + 10000: that may be taken, or above 65535.
          '--cluster-port',
          String(ports[i + 6]),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          String(nodeTimeout),
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
        ]),
      )
    }
    await run(REDIS_CLI, [
      '--cluster',
      'create',
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ])
  } catch (err) {
    await stop()
    throw err
  }

  const live = () => nodes.filter((node) => node.alive)
  const topology = async () => {
    for (const node of live()) {
      try {
        return parseNodes(await ask(node.port, 'CLUSTER', 'NODES'))
      } catch {
        // that node is going away: ask the next
      }
    }
    throw new Error('no cluster node answers CLUSTER NODES')
  }
  const processes: RedisClusterProcesses = {
    nodes,
    urls: nodes.map((node) => node.url),
    topology,
    primaries: async () => {
      const masters = (await topology()).filter((n) => n.role === 'master' && !n.failed && n.slots.length > 0)
      return masters.map((m) => nodes.find((node) => node.port === m.port) as RedisNodeProcess)
    },
    replicatedPrimaries: async () => {
      const view = await topology()
      const process = (port: number) => nodes.find((node) => node.port === port)
      return view
        .filter((n) => n.role === 'master' && !n.failed && n.slots.length > 0)
        .filter((m) => view.some((r) => r.primaryId === m.id && !r.failed && process(r.port)?.alive))
        .map((m) => process(m.port) as RedisNodeProcess)
    },
    settled: async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs
      let last = ''
      while (Date.now() < deadline) {
        try {
          const views = await Promise.all(
            live().map(async (node) => ({
              info: await ask(node.port, 'CLUSTER', 'INFO'),
              nodes: parseNodes(await ask(node.port, 'CLUSTER', 'NODES')),
            })),
          )
          const primaries = views.map((v) =>
            v.nodes
              .filter((n) => n.role === 'master' && !n.failed && n.slots.length > 0)
              .map((n) => n.port)
              .sort()
              .join(','),
          )
          const ok = views.every((v) => /cluster_state:ok/.test(v.info))
          // Right after a kill the others still list the dead primary, unflagged: it must be running.
          const running = (primaries[0] ?? '')
            .split(',')
            .every((port) => nodes.some((node) => node.port === Number(port) && node.alive))
          const agreed =
            new Set(primaries).size === 1 && (primaries[0]?.split(',').length ?? 0) === 3 && running
          if (ok && agreed) return
          last = `states: ${views.map((v) => /cluster_state:(\w+)/.exec(v.info)?.[1]).join(',')}; primaries: ${primaries.join(' | ')}`
        } catch (err) {
          last = (err as Error).message
        }
        await sleep(100)
      }
      throw new Error(`the cluster did not settle within ${timeoutMs} ms (${last})`)
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
