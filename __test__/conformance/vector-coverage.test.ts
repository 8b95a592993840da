import { readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { coverageProblems, type FilePlan, type RowCheck, vectorArrays } from '../support/conformance.js'
import { loadVectors, protocolDir } from '../support/vectors.js'
import { IN_SCOPE, OUT_OF_SCOPE_FILES } from './plans/index.js'

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort()
}

describe('the conformance coverage guard', () => {
  const inScope = IN_SCOPE.map((plan) => `test-vectors/${plan.file}`)

  it('classifies every JSON file of the protocol folder as tested or out of scope', () => {
    const classified = new Set([...inScope, ...Object.keys(OUT_OF_SCOPE_FILES)])
    expect(jsonFilesUnder(protocolDir()).filter((file) => !classified.has(file))).toEqual([])
  })

  it('classifies only files the folder holds, each once, each out-of-scope one with a reason', () => {
    const present = new Set(jsonFilesUnder(protocolDir()))
    const listed = [...inScope, ...Object.keys(OUT_OF_SCOPE_FILES)]
    expect(listed.filter((file) => !present.has(file))).toEqual([])
    expect(new Set(listed).size).toBe(listed.length)
    expect(Object.entries(OUT_OF_SCOPE_FILES).filter(([, reason]) => reason.trim() === '')).toEqual([])
  })

  it.each(IN_SCOPE.map((plan) => [plan.file, plan] as const))(
    'accounts for every row of every vector array of %s',
    (file, plan) => {
      expect(coverageProblems(plan, loadVectors(file))).toEqual([])
    },
  )
})

describe('what the coverage guard reports', () => {
  const check = (appliesTo?: RowCheck['appliesTo']): RowCheck => ({
    title: 'checks %s',
    run: () => {},
    ...(appliesTo === undefined ? {} : { appliesTo }),
  })
  const plan = (p: Omit<FilePlan, 'file'>): FilePlan => ({ file: 'synthetic.json', ...p })

  it('finds top-level and nested vector arrays, not arrays inside rows or of scalars', () => {
    const doc = {
      version: '1',
      tags: ['a', 'b'],
      vectors: [{ name: 'v', segments: [{ hex: '00', count: 1 }] }],
      keyring: { entries: [{ id: 'k1' }], configuration: { vectors: [{ name: 'c' }] } },
    }
    expect(vectorArrays(doc).map((a) => a.path)).toEqual([
      'vectors',
      'keyring.entries',
      'keyring.configuration.vectors',
    ])
  })

  it('reports a vector array no check covers, row by row', () => {
    const doc = { vectors: [{ name: 'a' }], extra: { rows: [{ name: 'b' }, { name: 'c' }] } }
    expect(coverageProblems(plan({ checks: { vectors: [check()] } }), doc)).toEqual([
      'extra.rows.b: no conformance check runs on it and it is not listed out of scope',
      'extra.rows.c: no conformance check runs on it and it is not listed out of scope',
    ])
  })

  it('reports a row that the only check of its array does not apply to, unless it is listed with a reason', () => {
    const doc = { vectors: [{ name: 'a', kind: 'x' }, { name: 'b' }] }
    const onlyX = check((row) => row.kind === 'x')
    expect(coverageProblems(plan({ checks: { vectors: [onlyX] } }), doc)).toEqual([
      'vectors.b: no conformance check runs on it and it is not listed out of scope',
    ])
    expect(
      coverageProblems(plan({ checks: { vectors: [onlyX] }, outOfScope: { vectors: { b: 'reason' } } }), doc),
    ).toEqual([])
    expect(
      coverageProblems(plan({ checks: { vectors: [onlyX] }, outOfScope: { vectors: { b: ' ' } } }), doc),
    ).toEqual(['vectors.b: out of scope without a reason'])
  })

  it('reports stale entries: an array or a row the file does not have, a check that runs on nothing', () => {
    const doc = { vectors: [{ name: 'a' }] }
    expect(
      coverageProblems(
        plan({
          checks: { vectors: [check(), check(() => false)], gone: [check()] },
          outOfScope: { vectors: { z: 'reason' } },
        }),
        doc,
      ),
    ).toEqual([
      'gone: the plan names an array the file does not have',
      'vectors.z: listed out of scope, but there is no such row',
      'vectors: the check "checks %s" applies to no row',
    ])
  })

  it('reports rows it cannot identify: unnamed or named twice', () => {
    const doc = { vectors: [{ name: 'a' }, { name: 'a' }, { note: 'no name' }] }
    expect(coverageProblems(plan({ checks: { vectors: [check()] } }), doc)).toEqual([
      'vectors: two rows are named a',
      'vectors[2]: a row without a name cannot be accounted for',
    ])
  })
})
