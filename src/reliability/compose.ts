/**
 * Backend layers: each cross-cutting behaviour (timeout, circuit breaker, backpressure) is a small
 * function from the backend below it to a backend with that behaviour, applied in one place where
 * the backend is resolved. The engine only ever sees the composed backend.
 */
import {
  BACKEND_METHODS,
  type Backend,
  type BackendCapabilities,
  type BackendEntry,
  type BackendLocks,
  type SyncBackend,
} from '../backends/backend.js'
import { ConfigurationError } from '../errors.js'

/** Wraps `next` in one behaviour and returns the wrapped backend. */
export type BackendLayer = (next: Backend) => Backend

function describe(value: unknown): string {
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object' : typeof value
}

function checkComposed(layer: BackendLayer, index: number, made: unknown): asserts made is Backend {
  const what = `Backend layer ${index}${layer.name === '' ? '' : ` (${layer.name})`}`
  const fix = 'a layer must return a Backend: extend PassThroughBackend and override what the layer changes'
  if (typeof made !== 'object' || made === null) {
    throw new ConfigurationError('INVALID_LAYER', `${what} returned ${describe(made)}: ${fix}`)
  }
  const candidate = made as Record<string, unknown>
  const missing = BACKEND_METHODS.filter((method) => typeof candidate[method] !== 'function')
  if (
    missing.length > 0 ||
    typeof candidate.name !== 'string' ||
    typeof candidate.capabilities !== 'object'
  ) {
    const lacks = [...missing, ...(typeof candidate.name === 'string' ? [] : ['name'])]
    if (typeof candidate.capabilities !== 'object') lacks.push('capabilities')
    throw new ConfigurationError(
      'INVALID_LAYER',
      `${what} returned an object without ${lacks.join(', ')}: ${fix}`,
    )
  }
}

/**
 * `composeBackend(store, a, b, c)` is `a(b(c(store)))`: the first layer is the outermost. A call goes
 * through the layers in the order they are listed and reaches the store last; its result comes back
 * through them in reverse. So list them as a call meets them, e.g. `composeBackend(redis, breaker,
 * timeout)` lets the breaker see the timeout's failures.
 *
 * undici's `Dispatcher.compose` applies its interceptors the other way round: each wraps the
 * dispatch built so far, so the interceptor listed last is the outermost there.
 */
export function composeBackend(backend: Backend, ...layers: readonly BackendLayer[]): Backend {
  let composed = backend
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i] as BackendLayer
    if (typeof layer !== 'function') {
      throw new ConfigurationError(
        'INVALID_LAYER',
        `Backend layer ${i} is ${describe(layer)}, not a function: pass layers as (next: Backend) => Backend`,
      )
    }
    const made: unknown = layer(composed)
    checkComposed(layer, i, made)
    composed = made
  }
  return composed
}

/**
 * Forwards every operation, the name, the capabilities and the sync face to `next`. A layer extends
 * it and overrides only what it changes (`override get(key) { ... this.next.get(key) ... }`,
 * `override readonly capabilities = { ...this.next.capabilities, prefixDelete: false }`).
 *
 * The sync face is handed through as it is: layers shape the asynchronous operations, and an
 * in-process store's synchronous calls cannot hang or time out. A layer that changes what is stored
 * (keys, values) must override `sync` too, or set it to undefined and declare `sync: false`.
 */
export class PassThroughBackend implements Backend {
  readonly name: string
  readonly capabilities: BackendCapabilities
  readonly sync: SyncBackend | undefined
  protected readonly next: Backend

  /** Present when `next` has them (leases for distributed single-flight). */
  readonly locks: BackendLocks | undefined

  /** Present when `next` has it (an optional batch read). */
  readonly getManyWithTtl: ((keys: readonly string[]) => Promise<Array<BackendEntry | null>>) | undefined

  constructor(next: Backend) {
    this.next = next
    this.name = next.name
    this.capabilities = next.capabilities
    this.sync = next.sync
    this.locks = next.locks
    const many = next.getManyWithTtl
    this.getManyWithTtl = many === undefined ? undefined : (keys) => many.call(next, keys)
  }

  get(key: string): Promise<Buffer | null> {
    return this.next.get(key)
  }
  getWithTtl(key: string): Promise<BackendEntry | null> {
    return this.next.getWithTtl(key)
  }
  set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    return this.next.set(key, value, ttlSeconds)
  }
  setMany(entries: ReadonlyArray<readonly [string, Buffer]>, ttlSeconds: number): Promise<void> {
    return this.next.setMany(entries, ttlSeconds)
  }
  delete(key: string): Promise<boolean> {
    return this.next.delete(key)
  }
  exists(key: string): Promise<boolean> {
    return this.next.exists(key)
  }
  ttl(key: string): Promise<number | null> {
    return this.next.ttl(key)
  }
  getMany(keys: readonly string[]): Promise<Array<Buffer | null>> {
    return this.next.getMany(keys)
  }
  deleteByPrefix(prefix: string): Promise<number> {
    return this.next.deleteByPrefix(prefix)
  }
  close(): Promise<void> {
    return this.next.close()
  }
}
