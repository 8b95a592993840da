import { CACHE_DEFAULTS } from '../defaults.js'
import { ConfigurationError } from '../errors.js'

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 }
const DURATION = /^([1-9][0-9]*)(s|m|h|d)$/

/**
 * A time to live in whole seconds, from a positive integer or a duration string (`'30s'`, `'5m'`,
 * `'1h'`, `'1d'`: one number and one unit, as bentocache users write them). Anything else is a
 * ConfigurationError: Redis `SET ... EX` takes whole seconds, so fractions are refused, not rounded.
 */
export function parseTtl(value: unknown, path = 'ttl'): number {
  let seconds: number | undefined
  if (typeof value === 'number') seconds = value
  else if (typeof value === 'string') {
    const match = DURATION.exec(value.trim())
    if (match !== null) seconds = Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number)
  }
  if (seconds === undefined || !Number.isSafeInteger(seconds) || seconds < CACHE_DEFAULTS.minTtlSeconds) {
    const got = typeof value === 'string' ? JSON.stringify(value) : String(value)
    throw new ConfigurationError(
      'INVALID_TTL',
      `${path} must be a whole number of seconds >= ${CACHE_DEFAULTS.minTtlSeconds} or a duration such as '30s', '5m', '1h', '1d', got ${got}: e.g. { ${path}: 300 } or { ${path}: '5m' }`,
    )
  }
  return seconds
}
