/**
 * A TCP proxy between a client and a real server that injects network faults, for the fault suite
 * and benchmark/faults.mjs. Every connection the client opens gets its own connection to the server;
 * bytes go through in order, in both directions, as the current mode says:
 * - `pass`: as they come;
 * - `latency(ms)`: each chunk `ms` later (order kept);
 * - `stall`: held, sockets open, nothing lost; delivered in order when the fault ends (a network
 *   that pauses, or TCP retransmitting through a short outage);
 * - `reset`: every connection is reset (RST), and so is every new one while the fault lasts;
 * - `blackhole`: nothing comes back and nothing is reset: bytes of existing and new connections
 *   are dropped, and those connections stay dead after the fault ends (a path that lost its packets
 *   for good: only the client noticing the silence and reconnecting helps). New connections after
 *   the fault work.
 * Only node: imports, so benchmark/faults.mjs can load it through esbuild.
 */
import { createServer, type Server, Socket } from 'node:net'

export type FaultMode = 'pass' | 'latency' | 'stall' | 'reset' | 'blackhole'

interface Chunk {
  readonly data: Buffer
  readonly at: number
}

/** One direction of one connection: a queue of chunks, delivered when they are due. */
class Lane {
  readonly #to: Socket
  readonly #proxy: FaultProxy
  #queue: Chunk[] = []
  #timer: NodeJS.Timeout | undefined

  constructor(to: Socket, proxy: FaultProxy) {
    this.#to = to
    this.#proxy = proxy
  }

  push(data: Buffer, delayMs: number): void {
    this.#queue.push({ data, at: performance.now() + delayMs })
    this.pump()
  }

  drop(): void {
    this.#queue = []
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  pump = (): void => {
    this.#timer = undefined
    if (this.#proxy.mode === 'stall' || this.#to.destroyed) return
    const now = performance.now()
    let head = this.#queue[0]
    while (head !== undefined && head.at <= now) {
      this.#queue.shift()
      this.#to.write(head.data)
      head = this.#queue[0]
    }
    if (head !== undefined) this.#timer = setTimeout(this.pump, Math.max(1, head.at - now))
  }
}

class Link {
  readonly client: Socket
  readonly upstream: Socket | null
  readonly #up: Lane | null
  readonly #down: Lane | null
  /** Black-holed once: never carries a byte again. */
  dead = false

  constructor(client: Socket, upstream: Socket | null, proxy: FaultProxy) {
    this.client = client
    this.upstream = upstream
    this.#up = upstream === null ? null : new Lane(upstream, proxy)
    this.#down = upstream === null ? null : new Lane(client, proxy)
    this.dead = upstream === null
  }

  carry(direction: 'up' | 'down', data: Buffer, delayMs: number): void {
    if (this.dead) return
    ;(direction === 'up' ? this.#up : this.#down)?.push(data, delayMs)
  }

  kill(): void {
    this.dead = true
    this.#up?.drop()
    this.#down?.drop()
  }

  pump(): void {
    this.#up?.pump()
    this.#down?.pump()
  }

  reset(): void {
    this.kill()
    this.client.resetAndDestroy()
    this.upstream?.destroy()
  }

  close(): void {
    this.kill()
    this.client.destroy()
    this.upstream?.destroy()
  }
}

export class FaultProxy {
  readonly port: number
  readonly #server: Server
  readonly #targetPort: number
  readonly #links = new Set<Link>()
  #mode: FaultMode = 'pass'
  #latencyMs = 0
  /** Connections the proxy accepted, in all. */
  accepted = 0

  private constructor(server: Server, port: number, targetPort: number) {
    this.#server = server
    this.port = port
    this.#targetPort = targetPort
    server.on('connection', (socket) => this.#accept(socket))
  }

  /** A proxy on a free loopback port in front of 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<FaultProxy> {
    const server = createServer()
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const address = server.address()
        resolve(typeof address === 'object' && address !== null ? address.port : 0)
      })
    })
    return new FaultProxy(server, port, targetPort)
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  get mode(): FaultMode {
    return this.#mode
  }

  /** Open connections (client side). */
  get connections(): number {
    return this.#links.size
  }

  pass(): void {
    this.#mode = 'pass'
    this.#latencyMs = 0
    for (const link of this.#links) link.pump()
  }

  latency(ms: number): void {
    this.#mode = 'latency'
    this.#latencyMs = ms
  }

  stall(): void {
    this.#mode = 'stall'
  }

  reset(): void {
    this.#mode = 'reset'
    for (const link of [...this.#links]) link.reset()
  }

  blackhole(): void {
    this.#mode = 'blackhole'
    for (const link of this.#links) link.kill()
  }

  set(mode: FaultMode, latencyMs = 300): void {
    if (mode === 'latency') this.latency(latencyMs)
    else this[mode]()
  }

  async close(): Promise<void> {
    for (const link of [...this.#links]) link.close()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #accept(client: Socket): void {
    this.accepted++
    client.setNoDelay(true)
    if (this.#mode === 'reset') {
      client.on('error', () => {})
      client.resetAndDestroy()
      return
    }
    // A black-holed connection is accepted and never answered: no connection to the server at all.
    const upstream = this.#mode === 'blackhole' ? null : new Socket().connect(this.#targetPort, '127.0.0.1')
    upstream?.setNoDelay(true)
    const link = new Link(client, upstream, this)
    this.#links.add(link)
    const delay = () => (this.#mode === 'latency' ? this.#latencyMs : 0)
    client.on('data', (data: Buffer) => link.carry('up', data, delay()))
    upstream?.on('data', (data: Buffer) => link.carry('down', data, delay()))
    const end = () => {
      if (!this.#links.delete(link)) return
      link.close()
    }
    client.on('error', end)
    client.on('close', end)
    upstream?.on('error', end)
    upstream?.on('close', end)
  }
}
