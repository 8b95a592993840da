/**
 * The contract every Backend keeps, registered once per implementation: `registerBackendContract`
 * with a factory for the store under test. Each test writes under its own random key prefix, so
 * suites may share one server with other test files.
 */
import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe } from 'vitest'
import type { Backend, BackendCapabilities } from '../../src/backends/backend.js'
import { registerCapabilityContract } from './capability-contract.js'
import { registerDataContract } from './data-contract.js'
import { registerLifecycleContract } from './lifecycle-contract.js'

export interface BackendUnderTest {
  /** Names the suite: `memory`, `redis`. */
  readonly name: string
  /** What the backend must declare; each declared capability (and each lack) gets its own tests. */
  readonly capabilities: BackendCapabilities
  /** A new backend on the store under test; the suite closes it after the test. */
  create(): Backend | Promise<Backend>
  /**
   * Another handle on the same store, as another process would hold it (a second connection); for
   * an in-process store, one that shares its data. The suite closes it after the test.
   */
  peer(backend: Backend): Backend | Promise<Backend>
  /**
   * What operations do after `close()`: `rejects` — every one rejects with BackendError `CLOSED`;
   * `empties` — close released the data and the store stays usable, empty.
   */
  readonly afterClose: 'rejects' | 'empties'
  /** A backend whose store cannot be reached, for stores that have that state (network stores). */
  unreachable?(): Backend | Promise<Backend>
}

/** What each part of the contract gets from the suite. */
export interface ContractContext {
  readonly subject: BackendUnderTest
  /** A fresh backend (closed after the test). */
  backend(): Promise<Backend>
  /** A second handle on `backend`'s store (closed after the test). */
  peer(backend: Backend): Promise<Backend>
  /** This test's key prefix; every key the test writes starts with it. */
  prefix(): string
  /** `prefix() + name` */
  key(name: string): string
}

export function registerBackendContract(subject: BackendUnderTest): void {
  describe(`the ${subject.name} backend keeps the backend contract`, () => {
    let open: Backend[] = []
    let prefix = ''
    const track = (backend: Backend): Backend => {
      open.push(backend)
      return backend
    }
    const context: ContractContext = {
      subject,
      backend: async () => track(await subject.create()),
      peer: async (backend) => track(await subject.peer(backend)),
      prefix: () => prefix,
      key: (name) => prefix + name,
    }

    beforeEach(() => {
      prefix = `contract:${subject.name}:${randomUUID()}:`
    })
    afterEach(async () => {
      const closing = open
      open = []
      for (const backend of closing) {
        // A backend without prefix delete, or one already closed, refuses this: nothing to clean then.
        await backend.deleteByPrefix(prefix).catch(() => 0)
        await backend.close()
      }
    })

    registerDataContract(context)
    registerLifecycleContract(context)
    registerCapabilityContract(context)
  })
}
