import { BACKEND_METHODS } from '../backends/backend.js'
import { checkReliability } from '../backends/reliability-options.js'
import { ConfigurationError } from '../errors.js'
import { checkObserve } from '../observability/index.js'
import {
  type Check,
  checkImplements,
  checkOptions,
  invalid,
  isBoolean,
  isFunction,
  isNonEmptyString,
  oneOf,
  positiveInteger,
  type Shape,
} from '../validate.js'
import { FRESHNESS_SHAPES } from './freshness-options.js'
import { isInteropOption } from './interop.js'

/** The shape of every option object the API takes, checked whole before anything is built. */

const isBackend: Check = (v, path) => {
  if (v === null) return
  if (typeof v === 'string') {
    throw new ConfigurationError(
      'INVALID_OPTION',
      `Option ${path} must be a Backend instance, got a string: write backend: new RedisBackend({ url: '...' })`,
    )
  }
  checkImplements(v, path, BACKEND_METHODS, 'a Backend (RedisBackend, MemoryBackend or your own) or null')
  if (typeof (v as { name?: unknown }).name !== 'string') {
    invalid(`${path}.name`, (v as { name?: unknown }).name, 'a string naming the backend')
  }
  const capabilities = (v as { capabilities?: unknown }).capabilities
  if (typeof capabilities !== 'object' || capabilities === null) {
    invalid(`${path}.capabilities`, capabilities, 'an object declaring { prefixDelete, remainingTtl, sync }')
  }
  for (const flag of ['prefixDelete', 'remainingTtl', 'sync'] as const) {
    const declared = (capabilities as Record<string, unknown>)[flag]
    if (typeof declared !== 'boolean') invalid(`${path}.capabilities.${flag}`, declared, 'true or false')
  }
  const sync = (v as { sync?: unknown }).sync
  const hasSync = typeof sync === 'object' && sync !== null
  if ((capabilities as { sync: boolean }).sync !== hasSync) {
    invalid(
      `${path}.capabilities.sync`,
      (capabilities as { sync: boolean }).sync,
      `${hasSync} (it must say whether the backend has a sync face)`,
    )
  }
}

const isSerializer: Check = (v, path) => {
  if (typeof v === 'string') {
    oneOf('msgpack', 'msgpack-js', 'auto', 'json', 'arrow', 'raw')(v, path)
    return
  }
  checkImplements(
    v,
    path,
    ['serialize', 'deserialize'],
    "a serializer name ('msgpack', 'json', ...) or a Serializer",
  )
  const s = v as { format?: unknown; isMsgpack?: unknown }
  if (typeof s.format !== 'string' || s.format === '')
    invalid(`${path}.format`, s.format, 'a non-empty string')
  if (typeof s.isMsgpack !== 'boolean') invalid(`${path}.isMsgpack`, s.isMsgpack, 'true or false')
}

const isTtl: Check = () => {
  // Values are parsed (and refused with the fix) by parseTtl where they are used.
}

const isMasterKey: Check = (v, path) => {
  if (typeof v !== 'string' && !(v instanceof Uint8Array))
    invalid(path, v, 'a 64-hex-character string or 32 bytes')
}

const isKeyList: Check = (v, path) => {
  if (!Array.isArray(v)) invalid(path, v, 'an array of master keys')
  v.forEach((k, i) => {
    isMasterKey(k, `${path}[${i}]`)
  })
}

const isTenant: Check = (v, path) => {
  if (typeof v === 'function') return
  isNonEmptyString(v, path)
}

const isL1: Check = (v, path) => {
  if (typeof v === 'boolean') return
  checkOptions(v, L1_SHAPE, 'the l1 option', path)
}

const L1_SHAPE: Shape = {
  maxBytes: positiveInteger,
  mode: oneOf('copy', 'frozen'),
}

const isLogger: Check = (v, path) => {
  checkImplements(
    v,
    path,
    ['warn'],
    'a logger with warn(fields, message) (pino works as it is; winstonLogger(w) for winston)',
  )
  for (const level of ['info', 'debug'] as const) {
    const method = (v as Record<string, unknown>)[level]
    if (method !== undefined && typeof method !== 'function')
      invalid(`${path}.${level}`, method, 'a function')
  }
}

/** Options shared by `cache()` and `createCache()`. */
const COMMON: Shape = {
  namespace: isNonEmptyString,
  ttl: isTtl,
  backend: isBackend,
  serializer: isSerializer,
  l1: isL1,
  encrypt: isBoolean,
  masterKey: isMasterKey,
  previousMasterKeys: isKeyList,
  tenant: isTenant,
  onDecryptError: oneOf('throw', 'miss'),
  cacheUndefined: isBoolean,
  logger: isLogger,
  reliability: checkReliability,
  observe: checkObserve,
  invalidationBus: isBoolean,
  clearBy: oneOf('scan', 'version'),
  ...FRESHNESS_SHAPES,
}

export const CACHE_OPTIONS: Shape = { ...COMMON, key: isFunction, async: isBoolean, interop: isInteropOption }

export const CREATE_CACHE_OPTIONS: Shape = {
  ...COMMON,
  intent: oneOf('default', 'minimal', 'production', 'secure', 'dev', 'test', 'io', 'local'),
}

export const WRAP_OPTIONS: Shape = {
  name: isNonEmptyString,
  ttl: isTtl,
  key: isFunction,
  async: isBoolean,
  interop: isInteropOption,
}

export const SET_OPTIONS: Shape = { ttl: isTtl }

export function checkL1Options(v: unknown): void {
  if (v !== undefined) isL1(v, 'l1')
}

export function checkLoggerOption(v: unknown): void {
  if (v !== undefined) isLogger(v, 'logger')
}
