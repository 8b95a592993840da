/**
 * Loads the protocol's test vectors from `CACHEKIT_PROTOCOL_DIR` (default `../shared/protocol`
 * beside the repository). A missing folder fails the test run: conformance is never skipped.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

export function protocolDir(): string {
  return resolve(repoRoot, process.env.CACHEKIT_PROTOCOL_DIR ?? '../shared/protocol')
}

// biome-ignore lint/suspicious/noExplicitAny: vector documents are untyped JSON
export type Json = any

export function loadVectors(name: string): Json {
  const path = join(protocolDir(), 'test-vectors', name)
  if (!existsSync(path)) {
    throw new Error(`protocol vectors not found at ${path}: set CACHEKIT_PROTOCOL_DIR to the protocol folder`)
  }
  return JSON.parse(readFileSync(path, 'utf8'))
}

export const hex = (s: string): Buffer => Buffer.from(s, 'hex')

/** `[{hex, count}, ...]` segments, concatenated. */
export function construct(segments: Array<{ hex: string; count: number }>): Buffer {
  return Buffer.concat(segments.map((s) => Buffer.from(s.hex.repeat(s.count), 'hex')))
}

/** decode-bounds.json's `repeat_hex * count + suffix_hex`. */
export function constructRepeat(c: { repeat_hex: string; count: number; suffix_hex: string }): Buffer {
  return Buffer.concat([Buffer.from(c.repeat_hex.repeat(c.count), 'hex'), Buffer.from(c.suffix_hex, 'hex')])
}

/** `[name, vector]` rows for `it.each`. */
export function named(list: Json[]): Array<[string, Json]> {
  return list.map((v: Json) => [v.name as string, v])
}
