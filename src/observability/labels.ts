import { CACHE_DEFAULTS } from '../defaults.js'

/**
 * The label value for namespaces past the cap. `~` is not allowed in namespaces, so it can never be a
 * real namespace's label.
 */
export const OTHER_NAMESPACES = '~other'

/**
 * Bounded namespace labels: the first `max` namespaces seen keep their name, every later one is
 * counted under OTHER_NAMESPACES, so a process that makes namespaces from data (a tenant id in the
 * namespace) cannot grow a registry without bound.
 */
export class NamespaceLabels {
  readonly max: number
  readonly #named = new Set<string>()

  constructor(max: number = CACHE_DEFAULTS.metricsMaxNamespaces) {
    this.max = max
  }

  of(namespace: string): string {
    if (this.#named.has(namespace)) return namespace
    if (this.#named.size >= this.max) return OTHER_NAMESPACES
    this.#named.add(namespace)
    return namespace
  }
}
