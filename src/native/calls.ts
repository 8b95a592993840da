/** Error mapping around native calls: every failure becomes a `CachekitError` subclass. */
import { fromNativeError } from '../errors.js'

export function rethrow(err: unknown): never {
  throw fromNativeError(err)
}

/** Runs an `*Async` native call: errors thrown synchronously (bad arguments) and rejections alike
 * become rejections with a `CachekitError`. */
export function mapped<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start().catch(rethrow)
  } catch (err) {
    return Promise.reject(fromNativeError(err))
  }
}
