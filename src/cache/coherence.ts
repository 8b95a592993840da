import type { BusMessage, InvalidationBus } from '../backends/bus.js'
import type { CacheObserver } from './events.js'
import type { L1Cache } from './l1.js'

/**
 * Keeps one engine's L1 coherent with other processes through the store's invalidation bus: what
 * this engine changes in L2 (a write, a delete, a clear) is published once the change succeeded;
 * what other processes publish for this namespace drops the matching L1 entries here. While the bus
 * cannot be trusted (its subscriber is disconnected), `trusted` is false and the engine neither
 * reads nor fills L1; every change of trust drops the whole L1, since anything may have changed
 * while messages were lost.
 *
 * Keys written in one turn of the event loop go out as one message.
 */
export class L1Coherence implements CacheObserver {
  readonly #bus: InvalidationBus
  readonly #namespace: string
  readonly #l1: L1Cache | null
  readonly #onRemoteClear: () => void
  #pending: string[] = []
  readonly #stops: Array<() => void>

  constructor(bus: InvalidationBus, namespace: string, l1: L1Cache | null, onRemoteClear: () => void) {
    this.#bus = bus
    this.#namespace = namespace
    this.#l1 = l1
    this.#onRemoteClear = onRemoteClear
    this.#stops = [
      bus.onMessage((message) => this.#apply(message)),
      bus.onTrustChange(() => this.#l1?.clear()),
    ]
  }

  /** Whether L1 may be read and filled now. */
  get trusted(): boolean {
    return this.#bus.trusted
  }

  #apply(message: BusMessage): void {
    const l1 = this.#l1
    if (message.prefixes !== undefined) {
      if (l1 !== null) for (const prefix of message.prefixes) l1.deleteByPrefix(prefix)
      this.#onRemoteClear()
    }
    if (message.keys !== undefined && message.namespace === this.#namespace && l1 !== null) {
      for (const key of message.keys) l1.delete(key)
    }
  }

  #flush = (): void => {
    const keys = this.#pending
    this.#pending = []
    if (keys.length > 0) this.#bus.publish({ namespace: this.#namespace, keys })
  }

  #changed(key: string): void {
    if (this.#pending.push(key) === 1) queueMicrotask(this.#flush)
  }

  stored(_namespace: string, key: string): void {
    this.#changed(key)
  }

  invalidate(_namespace: string, key: string): void {
    this.#changed(key)
  }

  clear(_namespace: string, prefixes: readonly string[]): void {
    this.#bus.publish({ namespace: this.#namespace, prefixes })
  }

  /** Stops listening (the engine's cache was closed). */
  detach(): void {
    for (const stop of this.#stops) stop()
  }
}
