/**
 * RedisBackend's multi-key operations on a Redis Cluster, where a command (MGET, a script, a
 * MULTI/EXEC, UNLINK of several keys) may only name keys of one hash slot: keys are grouped by
 * slot, the groups are sent at once (ioredis routes each to its slot's primary; commands to one node
 * share its socket, so a batch costs about one round trip per primary), and the replies are put
 * back in the order of the keys.
 */
import type { Cluster, Redis } from 'ioredis'
import { slotGroups } from './redis-slot.js'

/**
 * `run` once per slot's keys (in the order given), all at once; the results in the order of `keys`.
 * Rejects with the first group's failure, as one command would.
 */
export async function bySlot<T>(
  keys: readonly string[],
  run: (keysOfOneSlot: string[]) => Promise<readonly T[]>,
): Promise<T[]> {
  const groups = slotGroups(keys)
  if (groups.length === 1) return [...(await run(keys as string[]))]
  const replies = await Promise.all(groups.map((group) => run(group.map((i) => keys[i] as string))))
  const results = new Array<T>(keys.length)
  groups.forEach((group, g) => {
    const reply = replies[g] as readonly T[]
    group.forEach((position, j) => {
      results[position] = reply[j] as T
    })
  })
  return results
}

/** One MULTI/EXEC of SETs: Redis applies all of them or none. */
export async function multiSet(
  client: Redis | Cluster,
  entries: ReadonlyArray<readonly [string, Buffer]>,
  ttlSeconds: number,
): Promise<void> {
  const multi = client.multi()
  for (const [key, value] of entries) multi.set(key, value, 'EX', ttlSeconds)
  const replies = await multi.exec()
  if (replies === null) throw new Error('the transaction was aborted')
  for (const [err] of replies) if (err) throw err
}

/**
 * The first error a transaction's commands got, when EXEC was refused because of them (EXECABORT:
 * ioredis keeps them in `previousErrors`): on a cluster, typically a MOVED to an unreachable node.
 */
export function firstPreviousError(err: unknown): Error | undefined {
  if (!(err instanceof Error) || !err.message.startsWith('EXECABORT')) return undefined
  const previous = (err as { previousErrors?: unknown }).previousErrors
  const first: unknown = Array.isArray(previous) ? previous[0] : undefined
  return first instanceof Error ? first : undefined
}

/** A failure's message, with what made a transaction abort. */
export function describeFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  const earlier = firstPreviousError(err)
  return earlier === undefined ? message : `${message} (${earlier.message})`
}

/**
 * A `setMany` on a cluster that failed in some slots: the slots whose transaction landed were
 * deleted again (`rolledBack` of `written`), so that the batch leaves no mix of new values and old
 * ones. `cause` is the first slot's failure: it decides the error's kind.
 */
export class PartialSetManyError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly slots: number,
    readonly failed: number,
    readonly written: number,
    readonly rolledBack: number,
  ) {
    const reason = describeFailure(cause)
    const rollback =
      written === 0
        ? 'no slot was written'
        : rolledBack === written
          ? `the ${written} slot${written === 1 ? '' : 's'} written were deleted again (their keys now miss)`
          : `${rolledBack} of the ${written} slots written were deleted again; the keys of the other ${written - rolledBack} keep the new values`
    super(`${failed} of the batch's ${slots} slots failed (${reason}); ${rollback}`, { cause })
    this.name = 'PartialSetManyError'
  }
}

/**
 * `setMany` on a cluster: one MULTI/EXEC per slot, all at once. Each slot's transaction is all or
 * nothing; when some fail, the slots that were written are deleted (UNLINK, one per slot), so a
 * rejected batch leaves each key either deleted or as it was, except a slot whose transaction was
 * in flight when its connection dropped (its outcome is unknown) or whose delete failed too.
 */
export async function setManyBySlot(
  cluster: Cluster,
  entries: ReadonlyArray<readonly [string, Buffer]>,
  ttlSeconds: number,
): Promise<void> {
  const groups = slotGroups(entries.map(([key]) => key))
  if (groups.length === 1) return multiSet(cluster, entries, ttlSeconds)
  const ofGroup = (group: number[]) => group.map((i) => entries[i] as readonly [string, Buffer])
  const outcomes = await Promise.allSettled(
    groups.map((group) => multiSet(cluster, ofGroup(group), ttlSeconds)),
  )
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
  if (failure === undefined) return
  const written = groups.filter((_, g) => outcomes[g]?.status === 'fulfilled')
  const deletes = await Promise.allSettled(
    written.map((group) => cluster.unlink(...ofGroup(group).map(([key]) => key))),
  )
  throw new PartialSetManyError(
    failure.reason,
    groups.length,
    groups.length - written.length,
    written.length,
    deletes.filter((d) => d.status === 'fulfilled').length,
  )
}

/**
 * SCAN + UNLINK on every primary of the cluster at once (each primary's SCAN sees only its own
 * slots). A page's keys are deleted with one UNLINK per slot (at most `batch` keys each), sent
 * together through the cluster client, which routes each to its slot's primary.
 */
export async function deleteByPatternOnEveryPrimary(
  cluster: Cluster,
  pattern: string,
  batch: number,
): Promise<number> {
  const primaries = cluster.nodes('master')
  if (primaries.length === 0) throw new Error("Cluster isn't ready: the client knows no primary yet")
  const counts = await Promise.all(
    primaries.map(async (primary) => {
      let cursor = '0'
      let deleted = 0
      do {
        const [next, keys] = await primary.scan(cursor, 'MATCH', pattern, 'COUNT', batch)
        cursor = next
        if (keys.length > 0) {
          const unlinks: Array<Promise<number>> = []
          for (const group of slotGroups(keys)) {
            for (let i = 0; i < group.length; i += batch) {
              unlinks.push(cluster.unlink(...group.slice(i, i + batch).map((p) => keys[p] as string)))
            }
          }
          for (const count of await Promise.all(unlinks)) deleted += count
        }
      } while (cursor !== '0')
      return deleted
    }),
  )
  return counts.reduce((sum, n) => sum + n, 0)
}
