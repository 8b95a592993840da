import { ConfigurationError } from './errors.js'

/**
 * Option objects are checked whole at wrap / create time: an unknown key is an error with a
 * did-you-mean (a mistyped `encrypted: true` must not give a plaintext cache), and a value of the
 * wrong type is an error naming the option, what it got and what it takes.
 */

/** Checks one option's value; `undefined` never reaches it (absent options are always allowed). */
export type Check = (value: unknown, path: string) => void

export type Shape = Readonly<Record<string, Check>>

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}

export function invalid(path: string, value: unknown, expected: string): never {
  throw new ConfigurationError(
    'INVALID_OPTION',
    `Option ${path} must be ${expected}, got ${describeValue(value)}: pass ${expected} or leave it out for the default`,
  )
}

/** Edit distance, for did-you-mean on short option names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + cost)
      diagonal = above
    }
  }
  return row[b.length] as number
}

export function suggestion(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  // Close enough to be a typo, or the known name is a prefix of it (`encrypted` for `encrypt`).
  if (
    best !== undefined &&
    (bestDistance <= Math.max(1, Math.floor(best.length / 4)) || lower.startsWith(best.toLowerCase()))
  ) {
    return best
  }
  return undefined
}

/** Throws unless `value` is a plain options object whose every key is known and well-typed. */
export function checkOptions(value: unknown, shape: Shape, what: string, path = 'options'): void {
  if (value === undefined) return
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(path, value, `an options object for ${what}`)
  }
  const known = Object.keys(shape)
  for (const key of Object.keys(value)) {
    const check = shape[key]
    if (check === undefined) {
      const near = suggestion(key, known)
      throw new ConfigurationError(
        'UNKNOWN_OPTION',
        `Unknown option ${JSON.stringify(key)} for ${what}${near === undefined ? '' : `: did you mean ${JSON.stringify(near)}?`} ` +
          `Known options: ${known.join(', ')}`,
      )
    }
    const v = (value as Record<string, unknown>)[key]
    if (v !== undefined) check(v, `${path}.${key}`)
  }
}

export const isBoolean: Check = (v, path) => {
  if (typeof v !== 'boolean') invalid(path, v, 'true or false')
}

export const isNonEmptyString: Check = (v, path) => {
  if (typeof v !== 'string' || v === '') invalid(path, v, 'a non-empty string')
}

export const isFunction: Check = (v, path) => {
  if (typeof v !== 'function') invalid(path, v, 'a function')
}

export function oneOf(...values: readonly string[]): Check {
  const expected = values.map((v) => JSON.stringify(v)).join(' or ')
  return (v, path) => {
    if (typeof v !== 'string' || !values.includes(v)) invalid(path, v, expected)
  }
}

export function positiveInteger(v: unknown, path: string): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) invalid(path, v, 'a positive integer')
}

/** Throws unless `value` has every listed method (a backend, logger or serializer given by the user). */
export function checkImplements(
  value: unknown,
  path: string,
  methods: readonly string[],
  what: string,
): void {
  if (typeof value !== 'object' || value === null) invalid(path, value, what)
  const missing = methods.filter((m) => typeof (value as Record<string, unknown>)[m] !== 'function')
  if (missing.length > 0) {
    throw new ConfigurationError(
      'INVALID_OPTION',
      `Option ${path} must be ${what}, but it has no ${missing.join(', ')} method${missing.length > 1 ? 's' : ''}: ` +
        `pass an instance that implements the interface (e.g. new RedisBackend({ url }) for a backend), not ${describeValue(value)}`,
    )
  }
}
