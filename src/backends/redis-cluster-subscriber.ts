/**
 * A pub/sub subscriber connection for a Redis Cluster that behaves like one to a single server.
 *
 * In a cluster a PUBLISH on any node reaches the subscribers of every node, so one connection to any
 * node receives everything. ioredis' own cluster subscriber does that too, but when its node goes
 * away it silently moves to another one and subscribes again: nothing tells its user that messages
 * were lost meanwhile, and a SUBSCRIBE sent while it moves fails with nothing to retry it. This is a
 * plain ioredis `Redis` instead, whose every (re)connect goes to a node the cluster client knows
 * (the next one in turn, so a dead node is left behind): it emits `close` when its connection drops
 * and `ready` when a new one is up, like any connection, so a subscriber can tell when it may have
 * missed messages and subscribe again.
 */
import { createConnection } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { AbstractConnector, type Cluster, Redis, type RedisOptions } from 'ioredis'

type NetStream = Awaited<ReturnType<AbstractConnector['connect']>>

/** Where the next connection goes: the nodes the cluster client knows, each in turn. */
function nodeRotation(cluster: Cluster): () => { host: string; port: number } | undefined {
  let turn = 0
  return () => {
    const known = cluster.nodes('all')
    const node = known[turn++ % Math.max(1, known.length)]
    if (node === undefined) return undefined
    return { host: node.options.host ?? '127.0.0.1', port: node.options.port ?? 6379 }
  }
}

/**
 * A subscriber `Redis` on `cluster`'s nodes, with the cluster's node credentials and TLS, and
 * `options` over them (offline queue, retries, connection name: what the subscriber needs).
 */
export function clusterSubscriber(cluster: Cluster, options: RedisOptions = {}): Redis {
  const next = nodeRotation(cluster)
  const node = cluster.options.redisOptions ?? {}
  const tls = node.tls
  class ClusterNodeConnector extends AbstractConnector {
    constructor(connectorOptions: unknown) {
      super((connectorOptions as { disconnectTimeout?: number }).disconnectTimeout ?? 2000)
    }

    connect(): Promise<NetStream> {
      this.connecting = true
      return new Promise((resolve, reject) => {
        // As ioredis' own connector: the stream is made in the next tick, unless disconnect() came first.
        process.nextTick(() => {
          if (!this.connecting) {
            reject(new Error('Connection is closed.'))
            return
          }
          const target = next()
          if (target === undefined) {
            reject(new Error("Cluster isn't ready: the cluster client knows no node yet"))
            return
          }
          try {
            this.stream = tls === undefined ? createConnection(target) : tlsConnect({ ...tls, ...target })
          } catch (err) {
            reject(err)
            return
          }
          this.stream.once('error', (err: Error) => {
            this.firstError = err
          })
          resolve(this.stream)
        })
      })
    }
  }
  return new Redis({
    ...(node.username === undefined ? {} : { username: node.username }),
    ...(node.password === undefined ? {} : { password: node.password }),
    ...(node.connectTimeout === undefined ? {} : { connectTimeout: node.connectTimeout }),
    ...options,
    Connector: ClusterNodeConnector,
  })
}
