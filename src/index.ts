/** cachekit: the native core (bytes), the error hierarchy and the cache. */
export * from './api/index.js'
export * from './errors.js'
export * from './native/index.js'
