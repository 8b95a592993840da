import { createRequire } from 'node:module'
import { ConfigurationError } from '../errors.js'

/**
 * An optional peer dependency (prom-client, @opentelemetry/api), loaded when the feature that needs
 * it is first set up, never at import time. Synchronous (both are CommonJS packages), so an
 * instrument is complete when it is passed to a cache and no event is lost while one loads.
 */
export function loadOptional<T>(name: string, feature: string): T {
  try {
    return createRequire(import.meta.url)(name) as T
  } catch (err) {
    throw new ConfigurationError(
      'MISSING_OPTIONAL_DEPENDENCY',
      `${feature} needs the optional peer dependency ${name}: run \`npm install ${name}\``,
      { cause: err },
    )
  }
}
