/**
 * The key of an entry's lock, in the entry's Redis Cluster hash slot. A key's slot is the CRC16 of
 * its hash tag (the text between its first `{` and the next `}`, when not empty) or else of the
 * whole key; so an untagged entry `k` gets the lock `{k}:lock` (tag `k`: the same slot), and a
 * tagged entry keeps its tag first: `k:lock`.
 *
 * One case cannot be kept in the slot: an untagged key that contains a `}` (a by-key key such as
 * `a}b`) gets `{a}b}:lock`, whose tag is `a`. That is harmless: the lock commands (SET NX PX, the
 * compare-and-delete script) each touch the lock key alone, never the entry with it.
 */
export function lockKeyOf(key: string): string {
  const open = key.indexOf('{')
  if (open !== -1) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) return `${key}:lock`
  }
  return `{${key}}:lock`
}
