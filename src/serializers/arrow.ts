import { ConfigurationError, SerializationError } from '../errors.js'
import { decodeFailure, type Serializer } from './serializer.js'

interface ArrowModule {
  Table: abstract new (...args: never[]) => unknown
  tableToIPC(table: unknown, type?: 'stream' | 'file'): Uint8Array
  tableFromIPC(bytes: Uint8Array): unknown
}

let loading: Promise<ArrowModule> | undefined

/** apache-arrow is an optional peer dependency: loaded on first use, never at import time. */
function loadArrow(): Promise<ArrowModule> {
  loading ??= import('apache-arrow').then(
    (mod) => mod as unknown as ArrowModule,
    (err: unknown) => {
      loading = undefined
      throw new ConfigurationError(
        'MISSING_OPTIONAL_DEPENDENCY',
        'ArrowSerializer needs the optional peer dependency apache-arrow: run `npm install apache-arrow`',
        { cause: err },
      )
    },
  )
  return loading
}

/**
 * An apache-arrow Table <-> Arrow IPC stream bytes (format "arrow"), readable by pyarrow and every
 * other Arrow implementation. Only Tables are accepted.
 */
export class ArrowSerializer implements Serializer {
  readonly format = 'arrow'
  readonly isMsgpack = false
  #arrow: ArrowModule | undefined

  async load(): Promise<void> {
    this.#arrow ??= await loadArrow()
  }

  #module(): ArrowModule {
    if (this.#arrow === undefined) {
      throw new ConfigurationError(
        'SERIALIZER_NOT_LOADED',
        'ArrowSerializer is not loaded yet: await serializer.load() first (async caches do it for you)',
      )
    }
    return this.#arrow
  }

  serialize(value: unknown): Uint8Array {
    const arrow = this.#module()
    if (!(value instanceof arrow.Table)) {
      const what = value === null ? 'null' : typeof value === 'object' ? value.constructor.name : typeof value
      throw new SerializationError(
        'UNSUPPORTED_VALUE',
        `ArrowSerializer cannot serialize ${what}: return an apache-arrow Table (tableFromArrays(...)) or use StandardSerializer`,
      )
    }
    return arrow.tableToIPC(value, 'stream')
  }

  deserialize(bytes: Uint8Array): unknown {
    const arrow = this.#module()
    try {
      // Arrow vectors are views of the bytes they are read from: read from a private copy (aligned, and
      // a caller writing into a vector cannot reach an L1 entry).
      return arrow.tableFromIPC(Uint8Array.prototype.slice.call(bytes))
    } catch (err) {
      throw decodeFailure(this.format, err)
    }
  }
}
