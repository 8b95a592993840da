export type { Envelope } from './envelope.js'
export { InteropPlainEnvelope, InteropSealedEnvelope } from './interop.js'
export {
  InteropV2PlainEnvelope,
  InteropV2SealedEnvelope,
  readInteropV2,
  writeInteropV2,
} from './interop-v2.js'
export { PlainEnvelope } from './plain.js'
export { type EncryptionOptions, SealedEnvelope } from './sealed.js'
