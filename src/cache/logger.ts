import { createHash } from 'node:crypto'
import { debuglog } from 'node:util'
import { CACHE_DEFAULTS } from '../defaults.js'

/**
 * Structured fields of a log line. `err` carries the error (pino serialises it under that name);
 * `key` is never a raw cache key (by-key keys can be session tokens): it is `keyRef(key)`.
 */
export interface LogFields {
  /** A stable name of what happened, e.g. `l2-read-failed`; also what rate limiting groups by. */
  event: string
  namespace?: string
  key?: string
  err?: unknown
  [field: string]: unknown
}

/**
 * Where the cache reports. The argument order is pino's (`logger.warn({ err }, 'message')`), so a
 * pino (or bunyan) logger can be passed as it is; winston takes the message first: use
 * `winstonLogger(logger)`. `info` and `debug` are optional.
 */
export interface CacheLogger {
  warn(fields: LogFields, message: string): void
  info?(fields: LogFields, message: string): void
  debug?(fields: LogFields, message: string): void
}

const debug = debuglog('cachekit')

/** console.warn / console.info with the error's message appended; debug lines via NODE_DEBUG=cachekit. */
export function consoleLogger(): CacheLogger {
  const line = (fields: LogFields, message: string) => {
    const err = fields.err
    return `[cachekit] ${message}${err instanceof Error ? `: ${err.message}` : ''}`
  }
  return {
    warn: (fields, message) => console.warn(line(fields, message)),
    info: (fields, message) => console.info(line(fields, message)),
    debug: (fields, message) => debug('%s', line(fields, message)),
  }
}

/** The shape of a winston logger that `winstonLogger` needs. */
export interface WinstonLike {
  warn(message: string, meta: object): unknown
  info(message: string, meta: object): unknown
  debug(message: string, meta: object): unknown
}

/** Adapts a winston logger (message first, then metadata) to the cache's logger interface. */
export function winstonLogger(logger: WinstonLike): CacheLogger {
  return {
    warn: (fields, message) => logger.warn(message, fields),
    info: (fields, message) => logger.info(message, fields),
    debug: (fields, message) => logger.debug(message, fields),
  }
}

/**
 * The same warning (same event and error code) at most once per interval, whatever the logger: while
 * Redis is down every call fails the same way, and one line per interval says it. Suppressed lines
 * are counted in the next one (`suppressed`). Info and debug lines pass unchanged.
 */
export function rateLimited(logger: CacheLogger, intervalMs = CACHE_DEFAULTS.warnIntervalMs): CacheLogger {
  const last = new Map<string, { at: number; suppressed: number }>()
  return {
    warn(fields, message) {
      const code = (fields.err as { code?: unknown } | undefined)?.code
      const tag = typeof code === 'string' ? `${fields.event}:${code}` : fields.event
      const now = Date.now()
      const seen = last.get(tag)
      if (seen !== undefined && now - seen.at < intervalMs) {
        seen.suppressed++
        return
      }
      last.set(tag, { at: now, suppressed: 0 })
      logger.warn(
        seen !== undefined && seen.suppressed > 0 ? { ...fields, suppressed: seen.suppressed } : fields,
        message,
      )
    },
    info: (fields, message) => logger.info?.(fields, message),
    debug: (fields, message) => logger.debug?.(fields, message),
  }
}

/** A short, stable reference to a key for log lines: 12 hex characters of its SHA-256. */
export function keyRef(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12)
}
