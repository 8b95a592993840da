/**
 * Where layers report what happens to a store (the breaker opening, a wrong password): the cache's
 * logger has this shape (pino's argument order), and the cache rate-limits it per event and code.
 */
export interface LayerLogger {
  warn(fields: { event: string; [field: string]: unknown }, message: string): void
  info?(fields: { event: string; [field: string]: unknown }, message: string): void
  debug?(fields: { event: string; [field: string]: unknown }, message: string): void
}

const REASON_MAX_CHARS = 200

/** A failure for a log line or an error message: its message, cut at REASON_MAX_CHARS characters. */
export function reasonOf(err: unknown): string {
  if (err === undefined) return 'no failure recorded'
  const message = err instanceof Error ? err.message : String(err)
  return message.length > REASON_MAX_CHARS ? `${message.slice(0, REASON_MAX_CHARS)}…` : message
}
