import type { Backend } from '../backends/backend.js'
import { ConfigurationError } from '../errors.js'

/**
 * Which namespaces are in use on which backend in this process, so that two different functions
 * writing to one namespace of one store (their entries would be served to each other) are refused
 * at wrap time instead of returning one function's data from the other.
 *
 * An owner is a cached function (identified by the function and its source text) or a by-key cache.
 * Allowed: the same function wrapped again, a function with identical source text (a module
 * evaluated again, e.g. by a dev server's reload), and several by-key caches sharing a namespace
 * (their keys are chosen by the caller). Refused: anything else. A claim ends with `close()`.
 */
export type NamespaceOwner = { kind: 'function'; fn: unknown; label: string } | { kind: 'by-key' }

interface Claim {
  owner: NamespaceOwner
  source: string | undefined
  users: number
}

const claims = new WeakMap<Backend, Map<string, Claim>>()

function sourceOf(owner: NamespaceOwner): string | undefined {
  if (owner.kind !== 'function' || typeof owner.fn !== 'function') return undefined
  return Function.prototype.toString.call(owner.fn)
}

function compatible(claim: Claim, owner: NamespaceOwner, source: string | undefined): boolean {
  const held = claim.owner
  if (held.kind === 'by-key' || owner.kind === 'by-key') return held.kind === owner.kind
  return held.fn === owner.fn || (source !== undefined && source === claim.source)
}

function describeOwner(owner: NamespaceOwner): string {
  return owner.kind === 'by-key' ? 'a createCache() by-key cache' : owner.label
}

/** Registers `owner` for `namespace` on `backend`; returns the release. Throws on a conflicting owner. */
export function claimNamespace(backend: Backend, namespace: string, owner: NamespaceOwner): () => void {
  let byNamespace = claims.get(backend)
  if (byNamespace === undefined) {
    byNamespace = new Map()
    claims.set(backend, byNamespace)
  }
  const source = sourceOf(owner)
  const claim = byNamespace.get(namespace)
  if (claim !== undefined && !compatible(claim, owner, source)) {
    throw new ConfigurationError(
      'NAMESPACE_IN_USE',
      `Namespace ${JSON.stringify(namespace)} on this ${backend.name} backend is already used by ${describeOwner(claim.owner)}; ` +
        `${describeOwner(owner)} would read its entries: give each function its own namespace (e.g. { namespace: 'orders.get' }), ` +
        'or close() the previous one first',
    )
  }
  const current = claim ?? { owner, source, users: 0 }
  current.users++
  byNamespace.set(namespace, current)
  let released = false
  const map = byNamespace
  return () => {
    if (released) return
    released = true
    if (--current.users === 0 && map.get(namespace) === current) map.delete(namespace)
  }
}
