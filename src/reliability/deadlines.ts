/**
 * Items that each expire a fixed time after they were added, with one timer for all of them.
 *
 * Every item gets the same duration, so the order of adding is the order of expiring: a linked list
 * (O(1) add and remove) whose head is the next to expire. The timer is armed for the head and, when
 * the head settles first, simply fires later and re-arms for whoever is the head then; so a steady
 * stream of operations costs about one timer per duration instead of a setTimeout and clearTimeout
 * each, and nothing stays armed once the list is empty and the timer has fired.
 */
export interface Deadline<T> {
  readonly item: T
  /** performance.now() at which it expires. */
  readonly at: number
  prev: Deadline<T> | null
  next: Deadline<T> | null
  /** Still in the list: neither removed nor expired. */
  live: boolean
}

// Node's timers run off the event loop's cached clock, which can lag performance.now() by up to a
// millisecond: an item this close to its deadline counts as expired.
const TIMER_SLACK_MS = 1

export class Deadlines<T> {
  readonly ms: number
  readonly #expire: (item: T) => void
  #head: Deadline<T> | null = null
  #tail: Deadline<T> | null = null
  #size = 0
  #timer: NodeJS.Timeout | undefined
  #firing = false

  constructor(ms: number, expire: (item: T) => void) {
    this.ms = ms
    this.#expire = expire
  }

  get size(): number {
    return this.#size
  }

  add(item: T): Deadline<T> {
    const node: Deadline<T> = {
      item,
      at: performance.now() + this.ms,
      prev: this.#tail,
      next: null,
      live: true,
    }
    if (this.#tail === null) this.#head = node
    else this.#tail.next = node
    this.#tail = node
    this.#size++
    if (this.#timer === undefined && !this.#firing) this.#arm(this.ms)
    return node
  }

  /** Takes the item out before it expires. False when it had expired (or was removed) already. */
  remove(node: Deadline<T>): boolean {
    if (!node.live) return false
    node.live = false
    if (node.prev === null) this.#head = node.next
    else node.prev.next = node.next
    if (node.next === null) this.#tail = node.prev
    else node.next.prev = node.prev
    node.prev = null
    node.next = null
    this.#size--
    return true
  }

  /** The oldest item that has not expired, taken out; undefined when there is none. */
  shift(): T | undefined {
    const head = this.#head
    if (head === null) return undefined
    this.remove(head)
    return head.item
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(this.#fire, ms)
    // Pending operations keep the process alive through their own sockets, not through this timer.
    this.#timer.unref()
  }

  readonly #fire = (): void => {
    this.#timer = undefined
    // Expiry callbacks may add items; the timer is armed once, for the head, when they are done.
    this.#firing = true
    const now = performance.now()
    let head = this.#head
    try {
      while (head !== null && head.at <= now + TIMER_SLACK_MS) {
        this.remove(head)
        this.#expire(head.item)
        head = this.#head
      }
    } finally {
      this.#firing = false
      head = this.#head
      if (head !== null) this.#arm(Math.max(1, Math.ceil(head.at - performance.now())))
    }
  }
}
