/**
 * At most one computation per key at a time: the first caller of a key starts it (the leader),
 * callers that arrive while it runs join it. The leader's own reaction ends the flight, so a caller
 * arriving at any point before the result is settled — during the L2 read, while the function runs,
 * while its result is written — joins instead of starting another.
 */
export class SingleFlight<T> {
  readonly #flights = new Map<string, Promise<T>>()

  get size(): number {
    return this.#flights.size
  }

  /** The flight in progress for `key`, if any. */
  current(key: string): Promise<T> | undefined {
    return this.#flights.get(key)
  }

  /** Registers `flight` as the one for `key`; the returned function ends it (idempotent). */
  start(key: string, flight: Promise<T>): () => void {
    this.#flights.set(key, flight)
    return () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key)
    }
  }
}
