import type {
  Backend,
  BackendCapabilities,
  BackendEntry,
  BackendHealth,
  BackendLocks,
  SyncBackend,
} from './backend.js'

const MEMORY_CAPABILITIES: BackendCapabilities = Object.freeze({
  prefixDelete: true,
  remainingTtl: true,
  sync: true,
})

interface Slot {
  readonly value: Buffer
  readonly expiresAt: number
}

/**
 * An in-process L2: a Map with per-key expiry. Useful for tests and for sharing entries between caches
 * of one process. Values are copied in and out, so callers can never change what is stored.
 * Expired keys are dropped when read and by a sweep every 1024 writes (no timers, so it never keeps the
 * process alive).
 */
export class MemoryBackend implements Backend {
  readonly name = 'memory'
  readonly capabilities = MEMORY_CAPABILITIES
  readonly #slots = new Map<string, Slot>()
  #writes = 0
  readonly sync: SyncBackend
  readonly #leases = new Map<string, { token: string; until: number }>()
  /** Leases of distributed single-flight between the caches of this process. */
  readonly locks: BackendLocks = {
    acquire: async (key, token, leaseMs) => {
      const held = this.#leases.get(key)
      if (held !== undefined && held.until > Date.now()) return false
      this.#leases.set(key, { token, until: Date.now() + leaseMs })
      return true
    },
    release: async (key, token) => {
      const held = this.#leases.get(key)
      if (held === undefined || held.token !== token || held.until <= Date.now()) return false
      this.#leases.delete(key)
      return true
    },
  }

  constructor() {
    this.sync = {
      getWithTtl: (key) => this.#read(key),
      set: (key, value, ttlSeconds) => this.#write(key, value, ttlSeconds),
      delete: (key) => this.#slots.delete(key),
      deleteByPrefix: (prefix) => this.#deletePrefix(prefix),
    }
  }

  /** Number of live keys (expired ones may be counted until swept). */
  get size(): number {
    return this.#slots.size
  }

  #live(key: string): Slot | null {
    const slot = this.#slots.get(key)
    if (slot === undefined) return null
    if (slot.expiresAt <= Date.now()) {
      this.#slots.delete(key)
      return null
    }
    return slot
  }

  #read(key: string): BackendEntry | null {
    const slot = this.#live(key)
    return slot === null ? null : { value: Buffer.from(slot.value), ttlMs: slot.expiresAt - Date.now() }
  }

  #write(key: string, value: Buffer, ttlSeconds: number): void {
    this.#slots.set(key, { value: Buffer.from(value), expiresAt: Date.now() + ttlSeconds * 1000 })
    if (++this.#writes % 1024 === 0) this.#sweep()
  }

  #sweep(): void {
    const now = Date.now()
    for (const [key, slot] of this.#slots) if (slot.expiresAt <= now) this.#slots.delete(key)
  }

  #deletePrefix(prefix: string): number {
    let count = 0
    for (const key of this.#slots.keys()) {
      if (key.startsWith(prefix)) {
        this.#slots.delete(key)
        count++
      }
    }
    return count
  }

  async get(key: string): Promise<Buffer | null> {
    return this.#read(key)?.value ?? null
  }

  async getWithTtl(key: string): Promise<BackendEntry | null> {
    return this.#read(key)
  }

  async set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    this.#write(key, value, ttlSeconds)
  }

  async setMany(entries: ReadonlyArray<readonly [string, Buffer]>, ttlSeconds: number): Promise<void> {
    for (const [key, value] of entries) this.#write(key, value, ttlSeconds)
  }

  async delete(key: string): Promise<boolean> {
    return this.#slots.delete(key)
  }

  async exists(key: string): Promise<boolean> {
    return this.#live(key) !== null
  }

  async ttl(key: string): Promise<number | null> {
    const slot = this.#live(key)
    return slot === null ? null : Math.ceil((slot.expiresAt - Date.now()) / 1000)
  }

  async getManyWithTtl(keys: readonly string[]): Promise<Array<BackendEntry | null>> {
    return keys.map((key) => this.#read(key))
  }

  async getMany(keys: readonly string[]): Promise<Array<Buffer | null>> {
    return keys.map((key) => this.#read(key)?.value ?? null)
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    return this.#deletePrefix(prefix)
  }

  /** In process: nothing can be down, so always healthy; `latencyMs` is one probe read. */
  async health(): Promise<BackendHealth> {
    const started = performance.now()
    this.#live('ck:!health')
    return { status: 'healthy', reasons: [], latencyMs: performance.now() - started, connection: null }
  }

  async close(): Promise<void> {
    this.#slots.clear()
  }
}
