import { debuglog } from 'node:util'
import type { Backend } from '../backends/backend.js'
import { RedisBackend } from '../backends/redis.js'
import { ConfigurationError } from '../errors.js'

const debug = debuglog('cachekit')

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
  if (only === 'CACHEKIT_REDIS_URL') return { kind: 'redis', url: (env[only] as string).trim(), source: only }
  if (only !== undefined) {
    throw new ConfigurationError(
      'UNSUPPORTED_BACKEND',
      `${only} selects a backend that is not supported yet in this version: unset it and use CACHEKIT_REDIS_URL or pass { backend }`,
    )
  }
  if (present(env, 'REDIS_URL'))
    return { kind: 'redis', url: (env.REDIS_URL as string).trim(), source: 'REDIS_URL' }
  return { kind: 'none', source: 'no backend variable set' }
}

// Every cache that finds the same URL in the environment shares one connection, counted so that the
// last cache to close it closes it.
const shared = new Map<string, { backend: RedisBackend; users: number }>()

export interface Lease {
  backend: Backend | null
  source: string
  release(): Promise<void>
}

export function leaseEnvBackend(env: Env = process.env): Lease {
  const detected = detectBackend(env)
  if (detected.kind === 'none') {
    debug('backend: none (%s), L1 only in this process', detected.source)
    return { backend: null, source: detected.source, release: async () => {} }
  }
  let slot = shared.get(detected.url)
  if (slot === undefined) {
    slot = { backend: new RedisBackend({ url: detected.url }), users: 0 }
    shared.set(detected.url, slot)
  }
  slot.users++
  debug('backend: redis from %s', detected.source)
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
