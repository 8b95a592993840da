import { randomUUID } from 'node:crypto'
import type { BackendLocks } from '../backends/backend.js'
import type { LockOutcome } from './events.js'

/** Distributed single-flight settings (milliseconds). */
export interface LockSettings {
  /** How long a lease lasts: past it another process may take the lock (the holder's work still lands). */
  readonly leaseMs: number
  /** How long a waiter waits for the holder's value before it computes anyway (never a hang). */
  readonly waitMs: number
  /** First pause between a waiter's checks; it doubles up to `maxRetryMs`, each with ±50 % jitter. */
  readonly retryMs: number
  readonly maxRetryMs: number
}

export interface LockedRun<T> {
  /** The store's leases. */
  readonly locks: BackendLocks
  readonly key: string
  readonly settings: LockSettings
  /** Looks for a value another process stored (an L2 read); undefined when there is none yet. */
  readonly reread: () => Promise<T | undefined>
  readonly compute: () => Promise<T>
  readonly report: (outcome: LockOutcome) => void
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * One computation of a cold key across processes. The first to take the lease computes (after
 * looking once more: the value may have landed between its miss and the lease) and gives the lease
 * back by compare-and-delete; the others poll L2 with jittered, growing pauses, take the lease if it
 * is given up or runs out, and past `waitMs` compute anyway. A store error on the lease means no
 * coordination is possible: the caller computes at once.
 */
export async function runLocked<T>(run: LockedRun<T>): Promise<T> {
  const token = randomUUID()
  const { locks, key, settings } = run
  const take = async (): Promise<boolean | null> => {
    try {
      return await locks.acquire(key, token, settings.leaseMs)
    } catch {
      return null
    }
  }
  const holding = async (): Promise<T> => {
    run.report('acquired')
    try {
      return (await run.reread()) ?? (await run.compute())
    } finally {
      locks.release(key, token).catch(() => {
        // The lease runs out by itself: nothing waits on the release.
      })
    }
  }
  const first = await take()
  if (first === true) return holding()
  if (first === null) {
    run.report('fellThrough')
    return run.compute()
  }
  const deadline = Date.now() + settings.waitMs
  let pause = settings.retryMs
  for (;;) {
    const left = deadline - Date.now()
    if (left <= 0) break
    await sleep(Math.min(left, pause * (0.5 + Math.random())))
    const found = await run.reread()
    if (found !== undefined) {
      run.report('waited')
      return found
    }
    const again = await take()
    if (again === true) return holding()
    if (again === null) break
    pause = Math.min(pause * 2, settings.maxRetryMs)
  }
  run.report('fellThrough')
  return run.compute()
}
