/**
 * What processes sharing a store tell each other about changes, so that no process keeps serving an
 * L1 copy another one has invalidated or replaced. Messages carry the namespace and the entry keys
 * (for cached functions a key is already a hash of the arguments) or key prefixes (a clear).
 */
export interface BusMessage {
  /** The namespace whose engines may hold the keys (key messages are routed by it). */
  readonly namespace: string
  /** Entry keys whose L1 copies are dropped. */
  readonly keys?: readonly string[]
  /** Key prefixes whose L1 copies are dropped (a clear); sent to every namespace's L1. */
  readonly prefixes?: readonly string[]
}

export interface InvalidationBus {
  /** Sends a message to every other process (this one ignores its own). Never throws, never waits. */
  publish(message: BusMessage): void
  /** Calls `handler` for every message of another process; returns the function that stops it. */
  onMessage(handler: (message: BusMessage) => void): () => void
  /**
   * Whether messages are arriving: false while the subscriber connection is down, when this process
   * cannot know what others change (its L1 is then neither read nor filled), and until it is back.
   */
  readonly trusted: boolean
  /**
   * Resolves once the bus is trusted, or after the store's deadline if it cannot be (a cache's first
   * read waits for it, so that L1 is used from the first call on, and never before the bus listens).
   */
  ready(): Promise<void>
  /** Calls `handler` when `trusted` changes; returns the function that stops it. */
  onTrustChange(handler: (trusted: boolean) => void): () => void
}
