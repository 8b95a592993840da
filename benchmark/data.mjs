// Inputs shared by the benchmarks: compressible JSON and random bytes of exact sizes.
import { randomBytes } from 'node:crypto'

export const SIZES = [
  ['100 B', 100],
  ['1 KiB', 1024],
  ['64 KiB', 64 * 1024],
  ['1 MiB', 1024 * 1024],
]

/** JSON text of API-like records, cut to exactly `size` bytes. */
export function jsonBytes(size) {
  const rows = []
  let length = 2
  for (let i = 0; length < size; i++) {
    const row = JSON.stringify({
      id: i,
      name: `user-${i}`,
      email: `user${i}@example.com`,
      active: i % 3 === 0,
      score: (i * 7919) % 1000,
    })
    rows.push(row)
    length += row.length + 1
  }
  return Buffer.from(`[${rows.join(',')}]`).subarray(0, size)
}

export function randomData(size) {
  return randomBytes(size)
}

/** A ~1 KiB API-like object (952 bytes as JSON): the value of the cache-hit benchmarks. */
export function userObject(id) {
  return {
    id,
    name: `user-${id}`,
    email: `user${id}@example.com`,
    roles: ['reader', 'writer'],
    profile: { bio: 'x'.repeat(600), joined: '2024-01-01T00:00:00.000Z', followers: 1234, verified: true },
    tags: Array.from({ length: 20 }, (_, i) => `tag-${i}`),
  }
}
