// Starts a throwaway redis-server on a free loopback port for the benchmarks.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import Redis from 'ioredis'

async function freePort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

export async function startRedis() {
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  )
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    probe.on('error', () => {}) // refused until the server listens
    try {
      await probe.connect()
      await probe.ping()
      probe.disconnect()
      return { url, port, stop: () => child.kill('SIGTERM') }
    } catch {
      probe.disconnect()
      await sleep(50)
    }
  }
  child.kill('SIGKILL')
  throw new Error('redis-server did not start: is it installed (apt-get install -y redis-server)?')
}
