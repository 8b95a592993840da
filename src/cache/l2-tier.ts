import type { Backend } from '../backends/backend.js'
import { CACHE_DEFAULTS } from '../defaults.js'
import type { Envelope } from '../envelope/envelope.js'
import { IntegrityError } from '../errors.js'
import type { Serializer } from '../serializers/serializer.js'
import type { CacheEvents } from './events.js'
import type { NamespaceGeneration } from './generation.js'
import { type CacheLogger, keyRef } from './logger.js'
import { refuseEntry } from './refusal.js'
import type { Stored, ValueCopies } from './values.js'

export interface L2Config {
  namespace: string
  /** Stores without prefix delete: the namespace generation folded into every stored key. */
  generation: NamespaceGeneration | null
  backend: Backend
  envelope: Envelope
  serializer: Serializer
  values: ValueCopies
  onDecryptError: 'throw' | 'miss'
  events: CacheEvents
  logger: CacheLogger
}

/** A read entry and how long L2 keeps it (null: unknown or no expiry). */
export interface L2Read {
  stored: Stored
  ttlMs: number | null
}

/** One by-key entry ready to write: its payload (for L1) and stored bytes. */
export interface Prepared {
  /** The key as stored (with the namespace generation, on stores without prefix delete). */
  key: string
  /** The key as L1 and other processes know it. */
  logicalKey: string
  payload: Uint8Array
  stored: Buffer
}

type Unwrapped = { data: Buffer; format: string }

/** What `readEntry` resolves to when the store failed (as opposed to not holding the key). */
export const READ_FAILED: unique symbol = Symbol('cachekit.readFailed')

/**
 * The L2 tier of one namespace, and the failure policy that goes with it, in one place:
 * - reads: a failing backend is a miss (reported, logged); an entry that fails its checks is a miss
 *   and is deleted, or, for encrypted caches that fail closed, an error;
 * - cached-call writes: a failure is reported and logged, never thrown;
 * - by-key writes and deletes: a failure is reported and rejects.
 * Values of `asyncBytes` and more are (un)wrapped on the libuv pool, so large values do not hold the
 * event loop.
 */
export class L2Tier {
  readonly #c: L2Config
  readonly #asyncBytes = CACHE_DEFAULTS.asyncEnvelopeBytes

  constructor(config: L2Config) {
    this.#c = config
  }

  get backend(): Backend {
    return this.#c.backend
  }

  /** The key as the store holds it (the logical key stays in L1 and in the encryption context). */
  #at(key: string): string {
    const generation = this.#c.generation
    return generation === null ? key : generation.stored(key)
  }

  #readFailed = (key: string, err: unknown): undefined => {
    const { namespace, events, logger } = this.#c
    events.emit('l2Error', namespace, key, 'read', err)
    logger.warn(
      { event: 'l2-read-failed', namespace, key: keyRef(key), err },
      `L2 read failed in namespace ${namespace}; treated as a miss`,
    )
    return undefined
  }

  /**
   * L2 read. With `withTtl` the remaining lifetime comes too (GET + PTTL in one round trip), for
   * filling L1 no longer than L2 keeps the entry. A chain of reactions on the backend's promise, not
   * an async function: one tick per hit.
   */
  read(key: string, args: readonly unknown[], withTtl: boolean): Promise<L2Read | undefined> {
    return this.readEntry(key, args, withTtl, 0).then((read) => (read === READ_FAILED ? undefined : read))
  }

  /**
   * `read`, telling a failed read (READ_FAILED: reported and logged already) from a miss. An entry
   * with `staleAfterMs` or less left is past its fresh deadline: returned, but not counted as a hit.
   */
  readEntry(
    key: string,
    args: readonly unknown[],
    withTtl: boolean,
    staleAfterMs: number,
  ): Promise<L2Read | undefined | typeof READ_FAILED> {
    const backend = this.#c.backend
    const failed = (err: unknown): typeof READ_FAILED => {
      this.#readFailed(key, err)
      return READ_FAILED
    }
    try {
      if (!withTtl) {
        return backend
          .get(this.#at(key))
          .then(
            (bytes) => (bytes === null ? undefined : this.#accept(key, args, bytes, null, staleAfterMs)),
            failed,
          )
      }
      return backend
        .getWithTtl(this.#at(key))
        .then(
          (entry) =>
            entry === null ? undefined : this.#accept(key, args, entry.value, entry.ttlMs, staleAfterMs),
          failed,
        )
    } catch (err) {
      return Promise.resolve(failed(err))
    }
  }

  /** One backend round trip for several keys; misses and refused entries are `undefined`. */
  async readMany(
    keys: readonly string[],
    args: ReadonlyArray<readonly unknown[]>,
  ): Promise<Array<Stored | undefined>> {
    let stored: Array<Buffer | null>
    try {
      stored = await this.#c.backend.getMany(keys.map((key) => this.#at(key)))
    } catch (err) {
      this.#readFailed(keys[0] as string, err)
      return keys.map(() => undefined)
    }
    const out: Array<Stored | undefined> = []
    for (let i = 0; i < keys.length; i++) {
      const bytes = stored[i]
      out.push(
        bytes == null
          ? undefined
          : (await this.#accept(keys[i] as string, args[i] ?? [], bytes, null, 0))?.stored,
      )
    }
    return out
  }

  /** Synchronous read through an in-process store's `sync` face (synchronous functions). */
  readSync(key: string, args: readonly unknown[]): L2Read | undefined {
    const sync = this.#c.backend.sync
    this.#c.generation?.loadSync()
    const entry = sync?.getWithTtl(this.#at(key))
    if (sync === undefined || entry == null) return undefined
    const { envelope, serializer } = this.#c
    let stored: Stored | null
    try {
      stored = this.#decode(
        key,
        envelope.unwrap(entry.value, serializer.format, key, args, serializer.isMsgpack),
      )
    } catch (err) {
      stored = this.#refuse(key, err)
    }
    if (stored === null) {
      sync.delete(this.#at(key))
      return undefined
    }
    this.#c.events.emit('l2Hit', this.#c.namespace, key)
    return { stored, ttlMs: entry.ttlMs }
  }

  /** An entry as read: checked and decoded, or (refused, by policy a miss) deleted and undefined. */
  #accept(
    key: string,
    args: readonly unknown[],
    bytes: Buffer,
    ttlMs: number | null,
    staleAfterMs: number,
  ): L2Read | Promise<L2Read | undefined> {
    const { envelope, serializer } = this.#c
    if (bytes.byteLength >= this.#asyncBytes) {
      return envelope.unwrapAsync(bytes, serializer.format, key, args, serializer.isMsgpack).then(
        (unwrapped) => this.#settle(key, this.#decode(key, unwrapped), ttlMs, staleAfterMs),
        (err: unknown) => this.#settle(key, this.#refuse(key, err), ttlMs, staleAfterMs),
      )
    }
    let stored: Stored | null
    try {
      stored = this.#decode(key, envelope.unwrap(bytes, serializer.format, key, args, serializer.isMsgpack))
    } catch (err) {
      stored = this.#refuse(key, err)
    }
    return this.#settle(key, stored, ttlMs, staleAfterMs)
  }

  #settle(
    key: string,
    stored: Stored | null,
    ttlMs: number | null,
    staleAfterMs: number,
  ): L2Read | Promise<undefined> {
    if (stored === null) return this.deleteRefused(key).then(() => undefined)
    if (ttlMs === null || ttlMs > staleAfterMs) this.#c.events.emit('l2Hit', this.#c.namespace, key)
    return { stored, ttlMs }
  }

  /** Payload bytes → the value, checking the format; a refusal follows the policy (null or throw). */
  #decode(key: string, unwrapped: Unwrapped): Stored | null {
    try {
      const { serializer, values } = this.#c
      if (unwrapped.format !== serializer.format) {
        throw new IntegrityError(
          'FORMAT_MISMATCH',
          `An entry of namespace ${this.#c.namespace} was written as ${unwrapped.format} but this cache reads ${serializer.format}: use the same serializer everywhere or clear the namespace`,
        )
      }
      return values.stored(unwrapped.data)
    } catch (err) {
      return this.#refuse(key, err)
    }
  }

  /** Reports a stored entry that failed its checks; null (a miss) unless the cache fails closed. */
  #refuse(key: string, err: unknown): null {
    return refuseEntry(this.#c, key, err)
  }

  /** Removes an entry that failed its checks; a failure to do so is reported, not thrown. */
  async deleteRefused(key: string): Promise<void> {
    try {
      await this.#c.backend.delete(this.#at(key))
    } catch (err) {
      const { namespace, events, logger } = this.#c
      events.emit('l2Error', namespace, key, 'delete', err)
      logger.warn(
        { event: 'corrupt-delete-failed', namespace, key: keyRef(key), err },
        `Could not delete a corrupt entry of namespace ${namespace} (key ${keyRef(key)})`,
      )
    }
  }

  /** A cached call's write: awaited, and a failure is reported and logged, never thrown. */
  async write(key: string, args: readonly unknown[], payload: Uint8Array, ttl: number): Promise<void> {
    const { envelope, serializer, namespace, events, logger } = this.#c
    // Wrapping errors (a tenant function that throws, an exhausted key) are the caller's to see.
    const stored =
      payload.byteLength >= this.#asyncBytes
        ? await envelope.wrapAsync(payload, serializer.format, key, args)
        : envelope.wrap(payload, serializer.format, key, args)
    try {
      await this.#c.backend.set(this.#at(key), stored, ttl)
      events.emit('stored', namespace, key)
    } catch (err) {
      events.emit('l2Error', namespace, key, 'write', err)
      logger.warn(
        { event: 'l2-write-failed', namespace, key: keyRef(key), err },
        `L2 write failed in namespace ${namespace}; the value is served from this process's L1 only`,
      )
    }
  }

  writeSync(key: string, args: readonly unknown[], payload: Uint8Array, ttl: number): void {
    const { envelope, serializer } = this.#c
    this.#c.generation?.loadSync()
    this.#c.backend.sync?.set(this.#at(key), envelope.wrap(payload, serializer.format, key, args), ttl)
  }

  /** Envelopes for by-key entries, built before anything is written. */
  prepare(key: string, userKey: string, payload: Uint8Array): Prepared {
    const { envelope, serializer } = this.#c
    return {
      key: this.#at(key),
      logicalKey: key,
      payload,
      stored: envelope.wrap(payload, serializer.format, key, [userKey]),
    }
  }

  /** By-key writes: one SET, or one transaction for several; a failure is reported and rejects. */
  async writePrepared(prepared: readonly Prepared[], ttl: number): Promise<void> {
    const backend = this.#c.backend
    try {
      const [only] = prepared
      if (prepared.length === 1 && only !== undefined) await backend.set(only.key, only.stored, ttl)
      else
        await backend.setMany(
          prepared.map((p) => [p.key, p.stored] as const),
          ttl,
        )
    } catch (err) {
      this.#c.events.emit('l2Error', this.#c.namespace, prepared[0]?.key ?? '', 'write', err)
      throw err
    }
    for (const p of prepared) this.#c.events.emit('stored', this.#c.namespace, p.logicalKey)
  }

  /** Rejects on failure (reported as a write error). */
  async delete(key: string): Promise<boolean> {
    try {
      return await this.#c.backend.delete(this.#at(key))
    } catch (err) {
      this.#c.events.emit('l2Error', this.#c.namespace, key, 'delete', err)
      throw err
    }
  }

  /**
   * Deletes every stored key under the prefixes. `whole`: the prefixes are the whole namespace, so
   * a store without prefix delete can clear it by moving to a new generation instead (the count is
   * then 0: the old entries are unreachable and expire by TTL, nothing is counted).
   */
  async deleteByPrefixes(prefixes: readonly string[], whole: boolean): Promise<number> {
    let deleted = 0
    try {
      const generation = this.#c.generation
      if (generation !== null && whole) {
        await generation.clear()
        return 0
      }
      for (const prefix of prefixes) deleted += await this.#c.backend.deleteByPrefix(prefix)
    } catch (err) {
      this.#c.events.emit('l2Error', this.#c.namespace, prefixes[0] ?? '', 'delete', err)
      throw err
    }
    return deleted
  }

  /** A failing backend answers false (reported, logged). */
  async exists(key: string): Promise<boolean> {
    try {
      return await this.#c.backend.exists(this.#at(key))
    } catch (err) {
      this.#readFailed(key, err)
      return false
    }
  }

  /** Remaining seconds, null when missing; a failing backend answers null (reported, logged). */
  async ttl(key: string): Promise<number | null> {
    try {
      return await this.#c.backend.ttl(this.#at(key))
    } catch (err) {
      this.#readFailed(key, err)
      return null
    }
  }
}
