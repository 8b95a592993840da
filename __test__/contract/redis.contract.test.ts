import { inject } from 'vitest'
import { RedisBackend } from '../../src/backends/redis.js'
import { freePort } from '../support/redis-server.js'
import { registerBackendContract } from './backend-contract.js'

const url = inject('redisUrl')

registerBackendContract({
  name: 'redis',
  capabilities: { prefixDelete: true, remainingTtl: true, sync: false },
  create: () => new RedisBackend({ url }),
  // A second connection, as another process would have.
  peer: () => new RedisBackend({ url }),
  afterClose: 'rejects',
  unreachable: async () => new RedisBackend({ url: `redis://127.0.0.1:${await freePort()}` }),
})

registerBackendContract({
  name: 'redis with a keyPrefix',
  capabilities: { prefixDelete: true, remainingTtl: true, sync: false },
  create: () => new RedisBackend({ url, keyPrefix: 't:[default]*:' }),
  peer: () => new RedisBackend({ url, keyPrefix: 't:[default]*:' }),
  afterClose: 'rejects',
})
