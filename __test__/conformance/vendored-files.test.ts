import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { protocolDir, vendoredProtocolDir } from '../support/vectors.js'

/** Files of protocol/ that MANIFEST.tsv does not list: its own description, and this repository's notes. */
const OWN_FILES = new Set(['MANIFEST.tsv', 'README.txt', 'LICENSE-NOTE', '.gitattributes'])

interface ManifestRow {
  file: string
  sha256: string
  bytes: number
}

function readManifest(): ManifestRow[] {
  const [header, ...lines] = readFileSync(join(vendoredProtocolDir, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
  const columns = (header ?? '').split('\t')
  const at = (name: string) => {
    const i = columns.indexOf(name)
    if (i < 0) throw new Error(`MANIFEST.tsv has no ${name} column`)
    return i
  }
  const [file, sha256, bytes] = [at('file'), at('sha256'), at('bytes')]
  return lines.map((line) => {
    const cells = line.split('\t')
    return { file: cells[file] ?? '', sha256: cells[sha256] ?? '', bytes: Number(cells[bytes]) }
  })
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
}

const manifest = readManifest()

describe('the vendored protocol folder', () => {
  it('lists the twelve published files in MANIFEST.tsv', () => {
    expect(manifest.map((row) => row.file)).toHaveLength(12)
  })

  it.each(manifest.map((row) => [row.file, row] as const))('holds %s byte for byte', (_file, row) => {
    const bytes = readFileSync(join(vendoredProtocolDir, row.file))
    expect(bytes.length).toBe(row.bytes)
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256)
  })

  it('holds no file that MANIFEST.tsv does not account for', () => {
    const listed = new Set(manifest.map((row) => row.file))
    const unlisted = filesUnder(vendoredProtocolDir).filter((f) => !listed.has(f) && !OWN_FILES.has(f))
    expect(unlisted).toEqual([])
  })
})

describe('where the conformance tests read the vectors', () => {
  const saved = process.env.CACHEKIT_PROTOCOL_DIR
  afterEach(() => {
    if (saved === undefined) delete process.env.CACHEKIT_PROTOCOL_DIR
    else process.env.CACHEKIT_PROTOCOL_DIR = saved
  })

  it('is the vendored folder when CACHEKIT_PROTOCOL_DIR is unset or empty', () => {
    delete process.env.CACHEKIT_PROTOCOL_DIR
    expect(protocolDir()).toBe(vendoredProtocolDir)
    process.env.CACHEKIT_PROTOCOL_DIR = ''
    expect(protocolDir()).toBe(vendoredProtocolDir)
  })

  it('is CACHEKIT_PROTOCOL_DIR when set, relative to the repository root', () => {
    process.env.CACHEKIT_PROTOCOL_DIR = '/elsewhere/protocol'
    expect(protocolDir()).toBe(resolve('/elsewhere/protocol'))
    process.env.CACHEKIT_PROTOCOL_DIR = '../shared/protocol'
    expect(protocolDir()).toBe(resolve(vendoredProtocolDir, '..', '..', 'shared', 'protocol'))
  })
})
