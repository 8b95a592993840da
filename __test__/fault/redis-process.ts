/**
 * A redis-server this suite starts and may stop, pause and kill: SIGSTOP / SIGCONT (a frozen
 * server: the kernel still accepts connections and buffers bytes, nobody answers), SIGKILL and a
 * restart on the same port (a crash: connections reset, refused until it is back, data gone).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { Socket } from 'node:net'
import { freePort } from '../support/redis-server.js'

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server'

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
  })
}

export class RedisProcess {
  readonly port: number
  readonly #args: readonly string[]
  #child: ChildProcess | undefined

  private constructor(port: number, args: readonly string[]) {
    this.port = port
    this.#args = args
  }

  /** Starts redis-server on a free port, with these extra arguments. */
  static async start(args: readonly string[] = []): Promise<RedisProcess> {
    const server = new RedisProcess(await freePort(), args)
    await server.#spawn()
    return server
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async #spawn(): Promise<void> {
    const child = spawn(
      REDIS_SERVER,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...this.#args],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    this.#child = child
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const deadline = Date.now() + 10_000
    while (!(await answers(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL')
        throw new Error(`redis-server did not start on port ${this.port}: ${stderr || 'no output'}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  /** Freezes the server (SIGSTOP). */
  pause(): void {
    this.#child?.kill('SIGSTOP')
  }

  /** Lets it run again (SIGCONT): it answers everything it was sent meanwhile. */
  resume(): void {
    this.#child?.kill('SIGCONT')
  }

  /** SIGKILL: gone at once, its connections closed by the kernel. */
  async kill(): Promise<void> {
    const child = this.#child
    this.#child = undefined
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGCONT')
    child.kill('SIGKILL')
    await exited
  }

  /** Starts it again on the same port (empty: nothing is persisted). */
  async restart(): Promise<void> {
    await this.kill()
    await this.#spawn()
  }

  async stop(): Promise<void> {
    await this.kill()
  }
}
