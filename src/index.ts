export {
  ByteStorage,
  TenantKeys,
  checksum,
  checksumHex,
  limits,
  lz4Compress,
  lz4Decompress,
  validateMsgpack,
} from './native/index.js'
export type {
  ByteStorageOptions,
  DeriveOptions,
  EncryptionContext,
  Limits,
  OpenOptions,
  RetrieveOptions,
  Retrieved,
  SealOptions,
  ValidateMsgpackOptions,
} from './native/index.js'
export * from './errors.js'
export * from './cache-api.js'
