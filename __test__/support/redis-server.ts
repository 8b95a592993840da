/**
 * A private redis-server on a free loopback port, for tests that need a server configured their own
 * way (a password, a replica, a short busy threshold) or one they may stop.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer, Socket } from 'node:net'

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server'

export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:{port}` */
  readonly url: string
  /** Kills the server (SIGKILL: no shutdown save, gone at once); resolves when it has exited. */
  stop(): Promise<void>
}

/** A loopback port nothing listens on (bound, read and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Resolves true when something on the port answers a RESP PING (+PONG, or an error like NOAUTH). */
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

/** Starts redis-server with these extra arguments and waits (at most 5 s) until it answers. */
export async function startRedisServer(args: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  }
  const deadline = Date.now() + 5000
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(
        `redis-server ${args.join(' ')} did not start on port ${port}: ${stderr || 'no output'}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return { port, url: `redis://127.0.0.1:${port}`, stop }
}
