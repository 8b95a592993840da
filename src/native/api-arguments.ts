/**
 * What each public native function accepts, checked before the native call so that a wrong
 * argument is an INVALID_ARGUMENT naming it and its fix. Sync and async forms share one rule.
 */
import type {
  ByteStorageOptions,
  DeriveOptions,
  EncryptionContext,
  OpenOptions,
  RetrieveOptions,
  SealOptions,
  ValidateMsgpackOptions,
} from '../../native/binding.js'
import {
  checkArray,
  checkBoolean,
  checkMasterKey,
  checkOptionalBoolean,
  checkOptionalString,
  checkOptions,
  checkString,
} from './arguments.js'

export const FORMAT_FIX =
  "pass the format name as a string (the standard serializer writes 'msgpack'), or leave it out"
const CACHE_KEY_FIX = 'pass the logical cache key (without any backend prefix) as a non-empty string'

export function checkStorageOptions(options: ByteStorageOptions | undefined): void {
  const where = 'new ByteStorage'
  checkOptions(options, 'options', where, "pass { format: 'msgpack' } or nothing", true)
  checkOptionalString(options?.format, 'format', where, FORMAT_FIX)
}

export function checkRetrieveOptions(options: RetrieveOptions | undefined, where: string): void {
  checkOptions(options, 'options', where, 'pass { validateMsgpack: true } or nothing', true)
  checkOptionalBoolean(options?.validateMsgpack, 'validateMsgpack', where)
}

export function checkDeriveArguments(
  masterKey: unknown,
  tenant: unknown,
  options: DeriveOptions | undefined,
): void {
  const where = 'TenantKeys.derive'
  checkMasterKey(masterKey, 'masterKey', where)
  checkOptionalString(
    tenant,
    'tenant',
    where,
    "pass the tenant id as a string, or leave it out for 'default'",
  )
  checkOptions(options, 'options', where, 'pass { previousKeys: [oldMasterKey] } or nothing', true)
  const previous: unknown = options?.previousKeys
  if (previous === undefined) return
  checkArray(
    previous,
    'previousKeys',
    where,
    'pass an array of at most 3 earlier master keys, or leave it out',
  )
  for (const [i, key] of previous.entries()) checkMasterKey(key, `previousKeys[${i}]`, where)
}

export function checkContext(context: EncryptionContext, where: string): void {
  checkOptions(context, 'context', where, "pass { cacheKey, format: 'msgpack', compressed: false }", false)
  checkString(context.cacheKey, 'cacheKey', where, CACHE_KEY_FIX)
  checkString(context.format, 'format', where, "pass the format name as a string, e.g. 'msgpack'")
  checkBoolean(context.compressed, 'compressed', where)
  checkOptionalString(
    context.originalType,
    'originalType',
    where,
    'pass the original type name as a string, or leave it out',
  )
}

export function checkSealOptions(options: SealOptions, where: string): void {
  checkOptions(options, 'options', where, "pass the options object, e.g. { cacheKey: 'users:42' }", false)
  checkString(options.cacheKey, 'cacheKey', where, CACHE_KEY_FIX)
  checkOptionalString(options.format, 'format', where, FORMAT_FIX)
}

export function checkOpenOptions(options: OpenOptions, where: string): void {
  checkSealOptions(options, where)
  checkOptionalBoolean(options.validateMsgpack, 'validateMsgpack', where)
}

export function checkValidateOptions(options: ValidateMsgpackOptions | undefined): void {
  checkOptions(options, 'options', 'validateMsgpack', 'pass { allowTrailing: true } or nothing', true)
  checkOptionalBoolean(options?.allowTrailing, 'allowTrailing', 'validateMsgpack')
}
