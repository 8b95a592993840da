import { ByteStorage } from '../native/index.js'
import type { Envelope } from './envelope.js'

// Options objects of the read path, shared rather than allocated per hit.
const VALIDATE = Object.freeze({ validateMsgpack: true })
const NO_VALIDATE = Object.freeze({ validateMsgpack: false })

/** The plain protocol 1.1 envelope: LZ4 block + xxHash3-64, no encryption. */
export class PlainEnvelope implements Envelope {
  readonly encrypted = false
  readonly #storage = new ByteStorage()

  wrap(payload: Uint8Array, format: string): Buffer {
    return this.#storage.store(payload, format)
  }

  unwrap(
    stored: Uint8Array,
    _format: string,
    _key: string,
    _args: readonly unknown[],
    validateMsgpack: boolean,
  ) {
    return this.#storage.retrieve(stored, validateMsgpack ? VALIDATE : NO_VALIDATE)
  }

  wrapAsync(payload: Uint8Array, format: string): Promise<Buffer> {
    return this.#storage.storeAsync(payload, format)
  }

  unwrapAsync(
    stored: Uint8Array,
    _format: string,
    _key: string,
    _args: readonly unknown[],
    validateMsgpack: boolean,
  ) {
    return this.#storage.retrieveAsync(stored, validateMsgpack ? VALIDATE : NO_VALIDATE)
  }
}
