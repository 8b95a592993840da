/**
 * Child processes of the observability integration tests: the examples (which print the address
 * they listen on) and a real Prometheus server, each on a free loopback port, stopped by their pid.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../../', import.meta.url))

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

export interface Running {
  readonly url: string
  readonly output: () => string
  stop(): Promise<void>
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve()
        return
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
}

/** Runs an example from examples/ against the built package; resolves once it listens. */
export async function startExample(file: string, env: Record<string, string>): Promise<Running> {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error('dist/ is missing: the examples import the built package; run npm run build:ts first')
  }
  const child = spawn(process.execPath, [join(root, 'examples', file)], {
    env: { ...process.env, CACHEKIT_REDIS_URL: '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start within 10 s:\n${output}`)), 10_000)
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1] as string)
      }
    }
    child.stdout?.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${file} exited with ${code} before listening:\n${output}`))
    })
  })
  return { url, output: () => output, stop: stopper(child) }
}

/** The prometheus binary (the Debian package), or a test failure that says how to get it. */
export function prometheusBinary(): string {
  const bin = process.env.PROMETHEUS_BIN ?? 'prometheus'
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' })
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `The Prometheus integration test needs the prometheus binary at ${bin}, which did not run ` +
        `(${probe.error?.message ?? `exit ${probe.status}`}): install the Debian package ` +
        '(`apt-get install -y prometheus`; scripts/setup.sh does it) or set PROMETHEUS_BIN',
    )
  }
  return bin
}

/** A Prometheus server scraping `targets` (host:port) every second, on a free loopback port. */
export async function startPrometheus(targets: readonly string[]): Promise<Running> {
  const bin = prometheusBinary()
  const dir = mkdtempSync(join(tmpdir(), 'cachekit-prometheus-'))
  const config = join(dir, 'prometheus.yml')
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: cachekit-example',
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  )
  const port = await freePort()
  const child = spawn(
    bin,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const url = `http://127.0.0.1:${port}`
  const stop = stopper(child)
  const started = performance.now()
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`)
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 15_000) {
      await stop()
      throw new Error(`prometheus was not ready within 15 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface QueryResult {
  readonly metric: Record<string, string>
  readonly value: [number, string]
}

/** An instant query through Prometheus' HTTP API; throws on a query error. */
export async function query(prometheus: string, expr: string): Promise<QueryResult[]> {
  const response = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`)
  const body = (await response.json()) as { status: string; error?: string; data?: { result: QueryResult[] } }
  if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error ?? response.status}`)
  return body.data?.result ?? []
}
