import { MemoryBackend } from '../../src/backends/memory.js'
import { WithoutPrefixDelete } from '../support/without-prefix-delete.js'
import { registerBackendContract } from './backend-contract.js'

registerBackendContract({
  name: 'memory',
  capabilities: { prefixDelete: true, remainingTtl: true, sync: true },
  create: () => new MemoryBackend(),
  // Every cache of a process that shares one MemoryBackend sees the same entries.
  peer: (backend) => backend,
  afterClose: 'empties',
})

// The wrapper the cache's tests use for stores without prefix delete keeps the rest of the contract.
registerBackendContract({
  name: 'memory without prefix delete',
  capabilities: { prefixDelete: false, remainingTtl: true, sync: true },
  create: () => new WithoutPrefixDelete(new MemoryBackend()),
  peer: (backend) => backend,
  afterClose: 'empties',
})
