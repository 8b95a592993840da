import { randomBytes } from 'node:crypto'
import type { Backend } from '../backends/backend.js'
import { CACHE_DEFAULTS } from '../defaults.js'

/**
 * `clear()` for stores that cannot delete by prefix (Memcached lists no keys): every stored key of a
 * namespace carries the namespace's current generation (`<key>@<generation>`), kept in the store
 * under `ck:!generation:<namespace>` (`!` cannot occur in a namespace, so no entry key can be it).
 * Clearing writes a new generation: the old entries become unreachable and expire by their TTL.
 *
 * Other processes learn of a new generation when they next re-read it, at most
 * `generationRefreshMs` after their last read (the refresh runs in the background, reads never wait
 * for it): a clear elsewhere takes up to that long to reach them. This process sees its own clear at
 * once, and so do all caches of this process that share the namespace's generation.
 *
 * Every stored key ends with exactly one `@<generation>` and a generation contains no `@`, so the
 * mapping from (key, generation) to stored key is one-to-one.
 */
export class NamespaceGeneration {
  readonly #backend: Backend
  readonly #key: string
  #current: string | undefined
  #loadedAt = 0
  #loading: Promise<void> | undefined

  constructor(backend: Backend, namespace: string) {
    this.#backend = backend
    this.#key = `${CACHE_DEFAULTS.keyPrefix}:!generation:${namespace}`
  }

  /** Reads (or starts) the generation; awaited before the first use of the namespace. */
  load(): Promise<void> {
    this.#loading ??= this.#read().finally(() => {
      this.#loading = undefined
    })
    return this.#loading
  }

  async #read(): Promise<void> {
    try {
      const stored = await this.#backend.get(this.#key)
      if (stored !== null && stored.length > 0) this.#current = stored.toString('latin1')
      else await this.#write(this.#current ?? fresh())
      this.#loadedAt = Date.now()
    } catch {
      // The store is unreachable: until it answers, use a generation of this process alone. Its keys
      // are ones no other process reads, so nothing stale or foreign can be served; the next access
      // after the refresh interval tries again.
      this.#current ??= fresh()
      this.#loadedAt = Date.now()
    }
  }

  async #write(generation: string): Promise<void> {
    await this.#backend.set(this.#key, Buffer.from(generation, 'latin1'), CACHE_DEFAULTS.generationTtlSeconds)
    this.#current = generation
    this.#loadedAt = Date.now()
  }

  /** The same as `load`, through an in-process store's synchronous face (synchronous functions). */
  loadSync(): void {
    const sync = this.#backend.sync
    if (sync === undefined || this.#current !== undefined) return
    const stored = sync.getWithTtl(this.#key)?.value
    if (stored !== undefined && stored.length > 0) this.#current = stored.toString('latin1')
    else {
      this.#current = fresh()
      sync.set(this.#key, Buffer.from(this.#current, 'latin1'), CACHE_DEFAULTS.generationTtlSeconds)
    }
    this.#loadedAt = Date.now()
  }

  /** The key as stored; re-reads the generation in the background when it is older than the refresh interval. */
  stored(key: string): string {
    if (Date.now() - this.#loadedAt >= CACHE_DEFAULTS.generationRefreshMs && this.#loading === undefined) {
      // A failed refresh keeps the current generation: reads go on, the next one tries again.
      this.load().catch(() => {})
    }
    return `${key}@${this.#current as string}`
  }

  /** Makes every entry of the namespace unreachable (in every process, within the refresh interval). */
  clear(): Promise<void> {
    return this.#write(fresh())
  }
}

function fresh(): string {
  return randomBytes(8).toString('hex')
}

// One generation per store and namespace in this process, shared by every cache that uses them, so
// a clear here is seen here at once.
const generations = new WeakMap<Backend, Map<string, NamespaceGeneration>>()

export function generationOf(backend: Backend, namespace: string): NamespaceGeneration {
  let byNamespace = generations.get(backend)
  if (byNamespace === undefined) {
    byNamespace = new Map()
    generations.set(backend, byNamespace)
  }
  let generation = byNamespace.get(namespace)
  if (generation === undefined) {
    generation = new NamespaceGeneration(backend, namespace)
    byNamespace.set(namespace, generation)
  }
  return generation
}
