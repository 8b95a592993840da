import type { Envelope } from '../envelope/envelope.js'
import {
  type CachekitError,
  DecryptionError,
  InputTooLargeError,
  IntegrityError,
  SerializationError,
} from '../errors.js'
import type { CacheEvents } from './events.js'
import { type CacheLogger, keyRef } from './logger.js'

/** Stored bytes are untrusted: an oversize claim is as corrupt as a failed checksum. */
export function isRefusal(err: unknown): err is CachekitError {
  return (
    err instanceof IntegrityError ||
    err instanceof DecryptionError ||
    err instanceof InputTooLargeError ||
    (err instanceof SerializationError && err.code === 'DESERIALIZE_FAILED')
  )
}

export interface RefusalContext {
  namespace: string
  envelope: Envelope
  onDecryptError: 'throw' | 'miss'
  events: CacheEvents
  logger: CacheLogger
}

/**
 * The policy for a stored entry that failed its checks: reported and logged; then a miss (null, the
 * caller deletes the entry) or, for an encrypted cache that fails closed, the error itself. Any
 * other error is not about the stored bytes and is rethrown as it is.
 */
export function refuseEntry(c: RefusalContext, key: string, err: unknown): null {
  if (!isRefusal(err)) throw err
  const { namespace, events, logger, envelope, onDecryptError } = c
  events.emit('refused', namespace, key, { code: err.code, decryption: err instanceof DecryptionError })
  const failClosed = envelope.encrypted && onDecryptError === 'throw'
  logger.warn(
    { event: 'corrupt-entry', namespace, key: keyRef(key), err },
    `${failClosed ? 'Refusing' : 'Dropping'} an entry of namespace ${namespace} (key ${keyRef(key)}, ${err.code})`,
  )
  if (failClosed) throw err
  return null
}
