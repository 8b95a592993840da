/**
 * A backend that declares it cannot delete by prefix, as Memcached cannot, and refuses if asked
 * anyway: for tests of the paths a cache takes when a backend lacks that capability.
 */
import { type Backend, type SyncBackend, unsupported } from '../../src/backends/backend.js'
import { PassThroughBackend } from '../../src/reliability/compose.js'

export class WithoutPrefixDelete extends PassThroughBackend {
  override readonly capabilities = Object.freeze({ ...this.next.capabilities, prefixDelete: false })
  override readonly sync: SyncBackend | undefined
  /** Prefixes `deleteByPrefix` was asked for, on either face (a cache honouring the capability asks for none). */
  readonly prefixDeletes: string[] = []

  constructor(next: Backend) {
    super(next)
    const inner = next.sync
    this.sync =
      inner === undefined
        ? undefined
        : {
            getWithTtl: (key) => inner.getWithTtl(key),
            set: (key, value, ttlSeconds) => inner.set(key, value, ttlSeconds),
            delete: (key) => inner.delete(key),
            deleteByPrefix: (prefix) => {
              this.prefixDeletes.push(prefix)
              throw this.#refusal()
            },
          }
  }

  #refusal() {
    return unsupported(this.name, 'delete keys by prefix', 'prefixDelete')
  }

  override deleteByPrefix(prefix: string): Promise<number> {
    this.prefixDeletes.push(prefix)
    return Promise.reject(this.#refusal())
  }
}
