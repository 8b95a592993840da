import type { Backend } from '../backends/backend.js'
import { RedisBackend } from '../backends/redis.js'
import type { CacheLogger } from '../cache/logger.js'
import { ConfigurationError } from '../errors.js'

type Env = Record<string, string | undefined>

/** What the environment asks for when a cache is given no `backend`. */
export type DetectedBackend =
  | { kind: 'redis'; url: string; source: string }
  | { kind: 'none'; source: string }

const EXPLICIT = [
  'CACHEKIT_REDIS_URL',
  'CACHEKIT_API_KEY',
  'CACHEKIT_MEMCACHED_SERVERS',
  'CACHEKIT_FILE_CACHE_DIR',
]

function present(env: Env, name: string): boolean {
  const value = env[name]
  return value !== undefined && value.trim() !== ''
}

/**
 * The Python library's rules: exactly one of the CACHEKIT_* backend variables, else REDIS_URL, else
 * this process only. Never a silent fallback: an unsupported or ambiguous choice is an error.
 */
export function detectBackend(env: Env = process.env): DetectedBackend {
  const set = EXPLICIT.filter((name) => present(env, name))
  if (set.length > 1) {
    throw new ConfigurationError(
      'AMBIGUOUS_BACKEND',
      `Several backends are configured (${set.join(', ')}): set exactly one, or pass { backend } explicitly`,
    )
  }
  const [only] = set
  if (only === 'CACHEKIT_REDIS_URL') return { kind: 'redis', url: redisUrl(env, only), source: only }
  if (only !== undefined) {
    throw new ConfigurationError(
      'UNSUPPORTED_BACKEND',
      `${only} selects a backend that is not supported yet in this version: unset it and use CACHEKIT_REDIS_URL or pass { backend }`,
    )
  }
  if (present(env, 'REDIS_URL'))
    return { kind: 'redis', url: redisUrl(env, 'REDIS_URL'), source: 'REDIS_URL' }
  return { kind: 'none', source: 'no backend variable set' }
}

const REDIS_SCHEMES = ['redis:', 'rediss:']

/** The variable's URL, refused unless it is a redis:// or rediss:// URL (ioredis reads `localhost` as a path). */
function redisUrl(env: Env, name: string): string {
  const url = (env[name] as string).trim()
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    parsed = undefined
  }
  if (parsed === undefined || !REDIS_SCHEMES.includes(parsed.protocol) || parsed.hostname === '') {
    throw new ConfigurationError(
      'INVALID_REDIS_URL',
      `${name}=${JSON.stringify(redact(url))} is not a Redis URL: write it as redis://host:port (or rediss:// for TLS), e.g. ${name}=redis://localhost:6379`,
    )
  }
  return url
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@')
}

// What the environment selected is said once per process (per distinct choice), at the first cache
// that uses it: a service that silently runs without its Redis is the surprise this prevents.
const announced = new Set<string>()

function announce(logger: CacheLogger, detected: DetectedBackend): void {
  const what = detected.kind === 'redis' ? `redis ${redact(detected.url)} (from ${detected.source})` : 'none'
  if (announced.has(what)) return
  announced.add(what)
  const message =
    detected.kind === 'redis'
      ? `L2 backend: Redis at ${redact(detected.url)}, from ${detected.source}`
      : 'No L2 configured: caches use this process only (L1); set REDIS_URL or pass { backend } to share a Redis'
  const fields = { event: 'backend-selected', backend: detected.kind, source: detected.source }
  if (logger.info === undefined) logger.warn(fields, message)
  else logger.info(fields, message)
}

// Every cache that finds the same URL in the environment shares one connection, counted so that the
// last cache to close it closes it.
const shared = new Map<string, { backend: RedisBackend; users: number }>()

export interface Lease {
  backend: Backend | null
  source: string
  release(): Promise<void>
}

export function leaseEnvBackend(env: Env, logger: CacheLogger): Lease {
  const detected = detectBackend(env)
  announce(logger, detected)
  if (detected.kind === 'none') {
    return { backend: null, source: detected.source, release: async () => {} }
  }
  let slot = shared.get(detected.url)
  if (slot === undefined) {
    slot = { backend: new RedisBackend({ url: detected.url }), users: 0 }
    shared.set(detected.url, slot)
  }
  slot.users++
  const current = slot
  let released = false
  return {
    backend: current.backend,
    source: detected.source,
    release: async () => {
      if (released) return
      released = true
      if (--current.users > 0) return
      if (shared.get(detected.url) === current) shared.delete(detected.url)
      await current.backend.close()
    },
  }
}

/** Closes every connection opened from the environment (for decorated methods, at shutdown). */
export async function closeAll(): Promise<void> {
  const slots = [...shared.values()]
  shared.clear()
  await Promise.all(slots.map((slot) => slot.backend.close()))
}

/** Master key from options or CACHEKIT_MASTER_KEY; previous keys from CACHEKIT_PREVIOUS_MASTER_KEYS. */
export function resolveMasterKeys(
  masterKey: string | Uint8Array | undefined,
  previous: Array<string | Uint8Array> | undefined,
  env: Env = process.env,
): { masterKey: string | Uint8Array; previousKeys: Array<string | Uint8Array> } {
  const key = masterKey ?? env.CACHEKIT_MASTER_KEY?.trim()
  if (key === undefined || key === '') {
    throw new ConfigurationError(
      'MISSING_MASTER_KEY',
      'An encrypted cache needs a master key: pass { masterKey } or set CACHEKIT_MASTER_KEY to 64 hex characters (generate one with `openssl rand -hex 32`)',
    )
  }
  const previousKeys =
    previous ??
    (env.CACHEKIT_PREVIOUS_MASTER_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k !== '')
  return { masterKey: key, previousKeys }
}
