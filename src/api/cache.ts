import type { IntentName } from '../defaults.js'
import { ConfigurationError } from '../errors.js'
import { decorateLegacy, decorateStandard, isLegacyCall, isStandardContext } from './decorators.js'
import type { AnyArgs, CacheOptions } from './options.js'
import { type AnyFunction, type CachedFunction, makeCached } from './wrap.js'

/** What `cache(options)` returns: a wrapper and a decorator of either flavour. */
export interface CacheDecorator {
  <F extends AnyFunction>(fn: F): CachedFunction<F>
  <This, Args extends AnyArgs, R>(
    value: (this: This, ...args: Args) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
  ): (this: This, ...args: Args) => R
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor
}

/** `cache` and each intent: `cache(fn, opts)`, `cache(opts)(fn)`, `@cache`, `@cache(opts)`, legacy or standard. */
export interface CacheFunction {
  <F extends AnyFunction>(fn: F, options?: CacheOptions<Parameters<F>>): CachedFunction<F>
  <This, Args extends AnyArgs, R>(
    value: (this: This, ...args: Args) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => R>,
  ): (this: This, ...args: Args) => R
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor
  (options?: CacheOptions): CacheDecorator
}

function wrapFunction(fn: AnyFunction, options: CacheOptions, intent: IntentName): AnyFunction {
  const namespace = options.namespace ?? (fn.name === '' ? undefined : fn.name)
  if (namespace === undefined) {
    throw new ConfigurationError(
      'MISSING_NAMESPACE',
      'Cannot name the cache of an anonymous function: pass { namespace: "..." } or use a named function',
    )
  }
  const explicit = options.namespace !== undefined
  const label = fn.name === '' ? `function (namespace ${namespace})` : `function ${fn.name}`
  return makeCached(fn, options, intent, { fixed: namespace, explicit }, label)
}

/** One dispatcher for every call shape, told apart by their arguments. */
function apply(intent: IntentName, options: CacheOptions, args: unknown[]): unknown {
  if (isLegacyCall(args)) {
    return decorateLegacy(
      args[0] as object,
      args[1] as string | symbol,
      args[2] as PropertyDescriptor,
      options,
      intent,
    )
  }
  const [first, second] = args
  if (typeof first === 'function' && isStandardContext(second)) {
    return decorateStandard(first as AnyFunction, second, options, intent)
  }
  if (typeof first === 'function' && args.length === 1)
    return wrapFunction(first as AnyFunction, options, intent)
  throw new ConfigurationError(
    'INVALID_CACHE_CALL',
    'cache() got arguments it does not understand: use cache(fn, options), cache(options)(fn), @cache or @cache(options)',
  )
}

function isOptionsObject(value: unknown): value is CacheOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function makeCacheFunction(intent: IntentName): CacheFunction {
  return function cacheEntry(...args: unknown[]): unknown {
    const [first, second] = args
    if (typeof first === 'function' && !isStandardContext(second) && !isLegacyCall(args)) {
      if (second !== undefined && !isOptionsObject(second)) {
        throw new ConfigurationError(
          'INVALID_OPTIONS',
          'The second argument of cache(fn, options) must be an options object',
        )
      }
      return wrapFunction(first as AnyFunction, second ?? {}, intent)
    }
    if (typeof first === 'function' || isLegacyCall(args)) return apply(intent, {}, args)
    if (args.length > 1 || (first !== undefined && !isOptionsObject(first))) {
      throw new ConfigurationError(
        'INVALID_OPTIONS',
        'cache(options) takes one options object, e.g. cache({ ttl: 60 })',
      )
    }
    const options = (first ?? {}) as CacheOptions
    return (...inner: unknown[]) => apply(intent, options, inner)
  } as CacheFunction
}

type Intents = Record<Exclude<IntentName, 'default'>, CacheFunction>

/** The public `cache`, with the intents as properties (`cache.secure`, `cache.io`, ...). */
export const cache: CacheFunction & Intents = Object.assign(makeCacheFunction('default'), {
  minimal: makeCacheFunction('minimal'),
  production: makeCacheFunction('production'),
  secure: makeCacheFunction('secure'),
  dev: makeCacheFunction('dev'),
  test: makeCacheFunction('test'),
  io: makeCacheFunction('io'),
  local: makeCacheFunction('local'),
})
