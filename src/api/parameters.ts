/**
 * What a function's own parameter list says beyond `fn.length`: whether it has a parameter with a
 * default value or a rest parameter, the two things `length` does not count. Read from the
 * function's source text (`Function.prototype.toString`, which returns the source as written),
 * looking only at the top level of the list: a default inside a destructuring pattern (`{ a = 1 }`)
 * does not change `length`. Returns undefined when the list cannot be read (bound and native
 * functions, or a source this scanner does not follow), so the caller can ask for an explicit arity.
 */
export interface DeclaredParameters {
  readonly defaults: boolean
  readonly rest: boolean
}

export function declaredParameters(fn: (...args: never[]) => unknown): DeclaredParameters | undefined {
  let source: string
  try {
    source = Function.prototype.toString.call(fn)
  } catch {
    return undefined
  }
  if (source.includes('[native code]')) return undefined
  const open = openingParen(source)
  if (open === undefined) return undefined
  if (open === -1) return { defaults: false, rest: false }
  return scanList(source, open + 1)
}

/**
 * Index of the `(` that opens the parameter list; -1 for an arrow function with one bare
 * parameter (`x => ...`, which has neither); undefined when there is none.
 */
function openingParen(source: string): number | undefined {
  const paren = source.indexOf('(')
  const arrow = source.indexOf('=>')
  if (arrow !== -1 && (paren === -1 || arrow < paren)) return -1
  return paren === -1 ? undefined : paren
}

function scanList(source: string, start: number): DeclaredParameters | undefined {
  let depth = 0
  let defaults = false
  let rest = false
  for (let i = start; i < source.length; i++) {
    const c = source[i]
    const next = source[i + 1]
    if (c === '"' || c === "'" || c === '`') {
      const end = skipString(source, i, c)
      if (end === undefined) return undefined
      i = end
    } else if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i)
      if (end === -1) return undefined
      i = end
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2)
      if (end === -1) return undefined
      i = end + 1
    } else if (c === '(' || c === '[' || c === '{') {
      depth++
    } else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return c === ')' ? { defaults, rest } : undefined
      depth--
    } else if (depth === 0 && c === '.' && next === '.' && source[i + 2] === '.') {
      rest = true
      i += 2
    } else if (
      depth === 0 &&
      c === '=' &&
      next !== '>' &&
      next !== '=' &&
      !'=!<>'.includes(source[i - 1] ?? '')
    ) {
      defaults = true
    }
  }
  return undefined
}

/** Index of the closing quote of the string or template starting at `at`. */
function skipString(source: string, at: number, quote: string): number | undefined {
  for (let i = at + 1; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') i++
    else if (c === quote) return i
    // A template with substitutions may nest anything: give up rather than guess.
    else if (quote === '`' && c === '$' && source[i + 1] === '{') return undefined
  }
  return undefined
}
