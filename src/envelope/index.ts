export type { Envelope } from './envelope.js'
export { InteropPlainEnvelope, InteropSealedEnvelope } from './interop.js'
export { PlainEnvelope } from './plain.js'
export { type EncryptionOptions, SealedEnvelope } from './sealed.js'
