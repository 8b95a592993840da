import type { Backend } from '../backends/backend.js'
import {
  type Envelope,
  InteropPlainEnvelope,
  InteropSealedEnvelope,
  InteropV2PlainEnvelope,
  InteropV2SealedEnvelope,
} from '../envelope/index.js'
import { ConfigurationError } from '../errors.js'
import { validateInteropSegment } from '../keys/interop.js'
import { InteropSerializer } from '../serializers/interop.js'
import { type Check, checkOptions, invalid, oneOf, type Shape } from '../validate.js'
import { declaredParameters } from './parameters.js'

/**
 * Interop mode (interop/v1): keys and values another SDK computes for the same call, so a Python
 * service on `@cache(namespace=..., interop=...)` and this one share entries. docs/interop-python.md
 * is the guide; this module checks the options and builds the parts (segments, arity, codec).
 */
export interface InteropOptions {
  /** The operation segment of the key: Python's `interop="..."`. */
  operation: string
  /**
   * Arguments every call passes (Python binds its defaults and hashes all of them). Default: the
   * function's `length`; required for a function with default or rest parameters, whose `length`
   * does not count them.
   */
  arity?: number
  /**
   * `'v1'` (default): the published interop/v1, which Python reads and writes. `'v2-draft'`: values
   * in the draft interop/v2 container (LZ4-compressed when that is smaller); no SDK ships it and
   * Python does not read it yet, so use it only between services that all opt in.
   */
  version?: 'v1' | 'v2-draft'
}

export interface InteropSpec {
  readonly namespace: string
  readonly operation: string
  readonly arity: number
}

/** The container version an interop option asks for. */
export function interopVersion(option: string | InteropOptions | undefined): 'v1' | 'v2-draft' {
  return typeof option === 'object' ? (option.version ?? 'v1') : 'v1'
}

const INTEROP_SHAPE: Shape = {
  operation: (v, path) => {
    if (typeof v !== 'string') invalid(path, v, 'a string such as "get_user"')
  },
  version: oneOf('v1', 'v2-draft'),
  arity: (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) {
      invalid(path, v, 'a whole number of arguments from 0 to 255')
    }
  },
}

export const isInteropOption: Check = (v, path) => {
  if (typeof v === 'string') return
  checkOptions(v, INTEROP_SHAPE, 'the interop option', path)
  if ((v as { operation?: unknown }).operation === undefined) {
    invalid(`${path}.operation`, undefined, 'the operation name, e.g. { operation: "get_user" }')
  }
}

function conflict(label: string, what: string, fix: string): never {
  throw new ConfigurationError('INTEROP_CONFLICT', `${label} is in interop mode, which ${what}: ${fix}`)
}

/**
 * Checks what interop mode cannot work with, before anything is opened: the key and value formats
 * are fixed by the protocol, and so is the tenant (one per function, as Python has).
 */
export function refuseInteropConflicts(options: Record<string, unknown>, label: string): void {
  if (options.key !== undefined) {
    conflict(label, 'computes keys from the arguments by specification', 'remove the key option')
  }
  if (options.serializer !== undefined && options.serializer !== 'msgpack') {
    conflict(
      label,
      'stores plain MessagePack only',
      'remove the serializer option (or write serializer: "msgpack")',
    )
  }
  if (options.cacheUndefined === true) {
    conflict(
      label,
      'stores what every SDK reads, and MessagePack has no undefined',
      'return null instead of undefined',
    )
  }
  if (typeof options.tenant === 'function') {
    conflict(
      label,
      'has one tenant per function (Python refuses a tenant extractor there too)',
      'pass a fixed tenant, or leave it out for "default"',
    )
  }
  if (options.clearBy === 'version') {
    conflict(
      label,
      'needs keys exactly as other SDKs write them',
      "remove clearBy: 'version' (it folds a generation into every key)",
    )
  }
  if (options.backend === null) {
    conflict(
      label,
      'shares entries through a store other processes read',
      'pass a backend (e.g. new RedisBackend({ url }))',
    )
  }
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The tenant of encrypted interop entries: "default", or a deployment UUID as Python writes it. */
export function interopTenant(tenant: unknown): string {
  if (tenant === undefined || tenant === 'default') return 'default'
  if (typeof tenant === 'string' && CANONICAL_UUID.test(tenant)) return tenant
  const lower = typeof tenant === 'string' ? tenant.toLowerCase() : ''
  throw new ConfigurationError(
    'INVALID_TENANT',
    `The interop tenant ${JSON.stringify(tenant)} is neither "default" nor a lowercase canonical UUID, the two forms Python ` +
      `accepts: ${CANONICAL_UUID.test(lower) ? `write ${JSON.stringify(lower)}` : 'leave it out for "default", or pass the deployment UUID'}`,
  )
}

/** The segments and arity of an interop function, checked at wrap time. */
export function interopSpec(
  option: string | InteropOptions,
  fn: (...args: never[]) => unknown,
  namespace: string | undefined,
  label: string,
): InteropSpec {
  const given = typeof option === 'string' ? { operation: option } : option
  if (namespace === undefined) {
    throw new ConfigurationError(
      'NAMESPACE_REQUIRED',
      `${label} is in interop mode, whose keys start with the namespace: pass { namespace: "users", interop: "${given.operation}" }`,
    )
  }
  const operation = validateInteropSegment(given.operation, 'operation')
  validateInteropSegment(namespace, 'namespace')
  if (given.arity !== undefined) return { namespace, operation, arity: given.arity }
  const declared = declaredParameters(fn)
  if (declared === undefined || declared.defaults || declared.rest) {
    const why =
      declared === undefined
        ? 'its parameter list cannot be read (a bound or native function)'
        : `it has ${declared.rest ? 'a rest parameter' : 'a parameter with a default value'}, which fn.length does not count`
    throw new ConfigurationError(
      'INTEROP_ARITY_REQUIRED',
      `${label} is in interop mode and ${why}. Python hashes every parameter after binding defaults, so every call must ` +
        `pass all of them: declare how many with { interop: { operation: "${operation}", arity: N } }`,
    )
  }
  return { namespace, operation, arity: fn.length }
}

/** Refuses stores whose stored keys differ from the interop key (another SDK would not find them). */
export function checkInteropStore(store: Backend | null, label: string): void {
  if (store === null) {
    conflict(
      label,
      'shares entries through a store other processes read',
      'pass a backend, or set CACHEKIT_REDIS_URL',
    )
  }
  const prefix = (store as { keyPrefix?: unknown }).keyPrefix
  if (typeof prefix === 'string' && prefix !== '') {
    conflict(
      label,
      `needs keys exactly as other SDKs write them, but this ${store.name} backend puts ${JSON.stringify(prefix)} in front of every key`,
      'give interop functions a backend without keyPrefix (Python: an explicit RedisBackend, not its env-configured one)',
    )
  }
  if (!store.capabilities.prefixDelete) {
    conflict(
      label,
      `needs keys exactly as other SDKs write them, but a ${store.name} backend cannot delete by prefix, so clear() would fold a generation into every key`,
      'use a store with prefix delete (Redis)',
    )
  }
}

/** Refuses a call whose argument count differs from the declared arity. */
export function checkArity(spec: InteropSpec, args: readonly unknown[], label: string): void {
  if (args.length === spec.arity) return
  throw new ConfigurationError(
    'INTEROP_ARITY_MISMATCH',
    `${label} takes ${spec.arity} argument${spec.arity === 1 ? '' : 's'} in interop mode but was called with ${args.length}: ` +
      'pass every argument (Python hashes defaults too, so a left-out argument would give a key Python never computes)',
  )
}

export interface InteropKeys {
  masterKey: string | Uint8Array
  previousKeys: Array<string | Uint8Array>
}

/** The serializer and envelope of interop entries (plain, or sealed under the one tenant). */
export function interopCodec(
  keys: InteropKeys | null,
  tenant: unknown,
  version: 'v1' | 'v2-draft',
): { serializer: InteropSerializer; envelope: Envelope } {
  const serializer = new InteropSerializer()
  if (keys === null) {
    const envelope = version === 'v1' ? new InteropPlainEnvelope() : new InteropV2PlainEnvelope()
    return { serializer, envelope }
  }
  const sealing = { ...keys, tenant: interopTenant(tenant) }
  const envelope =
    version === 'v1' ? new InteropSealedEnvelope(sealing) : new InteropV2SealedEnvelope(sealing)
  return { serializer, envelope }
}
