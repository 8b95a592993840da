/**
 * Loads the protocol's test vectors from the repository's `protocol/` folder (vendored copies,
 * checked against `protocol/MANIFEST.tsv`), or from `CACHEKIT_PROTOCOL_DIR` when set (absolute,
 * or relative to the repository root). A missing folder fails the test run: conformance is never
 * skipped.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The copy committed with the repository, whatever `CACHEKIT_PROTOCOL_DIR` says. */
export const vendoredProtocolDir = join(repoRoot, 'protocol')

export function protocolDir(): string {
  const override = process.env.CACHEKIT_PROTOCOL_DIR
  return override === undefined || override === '' ? vendoredProtocolDir : resolve(repoRoot, override)
}

// biome-ignore lint/suspicious/noExplicitAny: vector documents are untyped JSON
export type Json = any

export function loadVectors(name: string): Json {
  const path = join(protocolDir(), 'test-vectors', name)
  if (!existsSync(path)) {
    throw new Error(
      `protocol vectors not found at ${path}: restore the repository's protocol/ folder, or point CACHEKIT_PROTOCOL_DIR at a protocol folder (with test-vectors/ inside)`,
    )
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
