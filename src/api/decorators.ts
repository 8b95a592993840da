import type { IntentName } from '../defaults.js'
import { ConfigurationError } from '../errors.js'
import type { CacheOptions } from './options.js'
import { type AnyFunction, type CacheControl, CONTROL, makeCached } from './wrap.js'

/** The context TypeScript 5 passes to a standard (TC39) method decorator; only what we read. */
export interface MethodContext {
  kind: string
  name: string | symbol
  static?: boolean
  private?: boolean
  addInitializer?(init: (this: unknown) => void): void
}

export function isStandardContext(value: unknown): value is MethodContext {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as MethodContext).kind === 'string' &&
    'name' in value &&
    typeof (value as MethodContext).addInitializer === 'function'
  )
}

export function isLegacyCall(args: readonly unknown[]): boolean {
  const [target, key, descriptor] = args
  return (
    args.length === 3 &&
    (typeof target === 'object' || typeof target === 'function') &&
    target !== null &&
    (typeof key === 'string' || typeof key === 'symbol') &&
    typeof descriptor === 'object' &&
    descriptor !== null
  )
}

function className(owner: unknown): string {
  // `owner` is a prototype (instance methods) or the class itself (static methods).
  if (typeof owner === 'function') return owner.name
  const ctor = (owner as { constructor?: { name?: string } } | null)?.constructor
  return ctor?.name ?? ''
}

function defaultNamespace(owner: unknown, method: string | symbol, options: CacheOptions): string {
  if (options.namespace !== undefined) return options.namespace
  const cls = className(owner)
  const name = typeof method === 'symbol' ? (method.description ?? '') : method
  if (cls === '' || name === '') {
    throw new ConfigurationError(
      'MISSING_NAMESPACE',
      'Cannot name the cache of an anonymous class or symbol method: pass { namespace: "..." }',
    )
  }
  return `${cls}.${name}`
}

/** Finds the object that defines `method` as `fn` on the prototype chain of `thisArg`. */
function ownerOf(thisArg: unknown, method: string | symbol, fn: unknown): unknown {
  let current: unknown = thisArg
  while (current !== null && (typeof current === 'object' || typeof current === 'function')) {
    const own = Object.getOwnPropertyDescriptor(current, method)
    if (own?.value === fn) return current
    current = Object.getPrototypeOf(current)
  }
  return Object.getPrototypeOf(thisArg)
}

/** Standard decorator: the class is unknown until an instance (or the class, for statics) exists. */
export function decorateStandard(
  method: AnyFunction,
  context: MethodContext,
  options: CacheOptions,
  intent: IntentName,
): AnyFunction {
  if (context.kind !== 'method') {
    throw new ConfigurationError(
      'UNSUPPORTED_DECORATOR_TARGET',
      `@cache decorates methods, not a ${context.kind}: move it onto a method`,
    )
  }
  let namespace: string | undefined
  const label = `method ${String(context.name)}`
  const cached = makeCached(
    method,
    options,
    intent,
    typeof options.namespace === 'string'
      ? { fixed: options.namespace, explicit: true }
      : {
          resolve: (thisArg) => {
            namespace ??= defaultNamespace(
              context.static ? thisArg : ownerOf(thisArg, context.name, cached),
              context.name,
              options,
            )
            return namespace
          },
        },
    label,
  )
  // Fix the namespace as soon as the first instance (or the class) exists, so that controls reached
  // through the prototype (`svc.find.invalidate(1)`) work before the first call.
  context.addInitializer?.(function (this: unknown) {
    ;(cached as unknown as CacheControl).info.call(this)
  })
  return cached
}

/** Legacy (`experimentalDecorators`, NestJS): the prototype or class is known right away. */
export function decorateLegacy(
  target: object,
  propertyKey: string | symbol,
  descriptor: PropertyDescriptor,
  options: CacheOptions,
  intent: IntentName,
): PropertyDescriptor {
  const method: unknown = descriptor.value
  if (typeof method !== 'function') {
    throw new ConfigurationError(
      'UNSUPPORTED_DECORATOR_TARGET',
      `@cache decorates methods, but ${String(propertyKey)} is not one (getter, setter or field): move it onto a method`,
    )
  }
  const namespace = defaultNamespace(target, propertyKey, options)
  const cached = makeCached(
    method as AnyFunction,
    options,
    intent,
    { fixed: namespace, explicit: options.namespace !== undefined },
    `method ${namespace}`,
  )
  return { ...descriptor, value: cached }
}

/** Typed controls of a cached function, or of a decorated method bound to one instance. */
export function cacheControl<F extends AnyFunction>(fn: F): CacheControl<Parameters<F>, ReturnType<F>>
export function cacheControl<T extends object, K extends keyof T>(
  instance: T,
  method: K,
): T[K] extends AnyFunction ? CacheControl<Parameters<T[K]>, ReturnType<T[K]>> : never
export function cacheControl(target: unknown, method?: PropertyKey): CacheControl {
  const fn = method === undefined ? target : (target as Record<PropertyKey, unknown>)[method]
  const control = (fn as { [CONTROL]?: CacheControl } | null | undefined)?.[CONTROL]
  if (control === undefined) {
    throw new ConfigurationError(
      'NOT_CACHED',
      `${method === undefined ? 'This function' : String(method)} is not cached: wrap it with cache() or decorate it with @cache`,
    )
  }
  if (method === undefined) return control
  const bound: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(control)) {
    bound[name] = (value as AnyFunction).bind(target)
  }
  return bound as unknown as CacheControl
}
