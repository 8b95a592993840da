/**
 * The conformance plan of one vector file: a check for each vector array, run on every row, and an
 * explicit reason for each row that is out of scope. One plan serves both the runner (one test per
 * row and check) and the coverage guard, so a row counts as exercised exactly when the runner runs a
 * check on it: nothing depends on which test file runs first.
 */
import type { Json } from './vectors.js'

export interface RowCheck {
  /** Test title; `%s` is replaced by the row's name. */
  readonly title: string
  /** Rows this check is for (default: every row of the array). */
  readonly appliesTo?: (row: Json) => boolean
  readonly run: (row: Json, doc: Json) => void
}

export interface FilePlan {
  /** Path under the protocol folder's `test-vectors/`. */
  readonly file: string
  /** Checks by array path (`keyring.configuration.vectors`). */
  readonly checks: Readonly<Record<string, readonly RowCheck[]>>
  /** Rows not exercised, by array path and row name, each with the reason. */
  readonly outOfScope?: Readonly<Record<string, Readonly<Record<string, string>>>>
}

export interface VectorArray {
  readonly path: string
  readonly rows: readonly Json[]
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Every array of objects reachable from the document through objects: the top-level arrays and
 * nested ones (`keyring.vectors`, `master_key_input.reject_vectors`). Arrays inside a row (segments
 * of a construction) belong to that row and are not vector arrays.
 */
export function vectorArrays(doc: Json): VectorArray[] {
  const found: VectorArray[] = []
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix === '' ? key : `${prefix}.${key}`
      if (Array.isArray(value)) {
        if (value.some(isObject)) found.push({ path, rows: value })
      } else if (isObject(value)) {
        walk(value, path)
      }
    }
  }
  if (isObject(doc)) walk(doc, '')
  return found
}

/** A row's identity: its `name`, or the `id` of rows such as keyring entries. */
export function rowName(row: Json): string | undefined {
  const name = isObject(row) ? (row.name ?? row.id) : undefined
  return typeof name === 'string' && name !== '' ? name : undefined
}

export function rowsAt(doc: Json, path: string): Json[] {
  let node: Json = doc
  for (const key of path.split('.')) node = isObject(node) ? node[key] : undefined
  if (!Array.isArray(node)) throw new Error(`no vector array at ${path}`)
  return node
}

/** The rows a check runs on: those it applies to, minus the out-of-scope rows of its array. */
export function rowsFor(plan: FilePlan, doc: Json, path: string, check: RowCheck): Json[] {
  const skipped = plan.outOfScope?.[path] ?? {}
  return rowsAt(doc, path).filter(
    (row) => !Object.hasOwn(skipped, rowName(row) ?? '') && (check.appliesTo?.(row) ?? true),
  )
}

/**
 * What is wrong with a plan for its document, as sentences; empty when every row of every vector
 * array is run by a check or listed out of scope with a reason, and the plan names nothing that is
 * not in the document.
 */
export function coverageProblems(plan: FilePlan, doc: Json): string[] {
  const problems: string[] = []
  const arrays = vectorArrays(doc)
  const paths = new Set(arrays.map((a) => a.path))
  for (const path of [...Object.keys(plan.checks), ...Object.keys(plan.outOfScope ?? {})]) {
    if (!paths.has(path)) problems.push(`${path}: the plan names an array the file does not have`)
  }
  for (const { path, rows } of arrays) {
    const checks = plan.checks[path] ?? []
    const skipped = plan.outOfScope?.[path] ?? {}
    const names = rows.map(rowName)
    const seen = new Set<string>()
    names.forEach((name, i) => {
      if (name === undefined) problems.push(`${path}[${i}]: a row without a name cannot be accounted for`)
      else if (seen.has(name)) problems.push(`${path}: two rows are named ${name}`)
      else seen.add(name)
    })
    for (const name of Object.keys(skipped)) {
      if (!seen.has(name)) problems.push(`${path}.${name}: listed out of scope, but there is no such row`)
      if (skipped[name]?.trim() === '') problems.push(`${path}.${name}: out of scope without a reason`)
    }
    for (const check of checks) {
      if (rowsFor(plan, doc, path, check).length === 0) {
        problems.push(`${path}: the check "${check.title}" applies to no row`)
      }
    }
    rows.forEach((row, i) => {
      const name = names[i]
      if (name === undefined || Object.hasOwn(skipped, name)) return
      if (!checks.some((check) => check.appliesTo?.(row) ?? true)) {
        problems.push(`${path}.${name}: no conformance check runs on it and it is not listed out of scope`)
      }
    })
  }
  return problems
}
