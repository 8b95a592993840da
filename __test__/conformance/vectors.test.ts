import { describe, it } from 'vitest'
import { rowName, rowsFor } from '../support/conformance.js'
import { loadVectors } from '../support/vectors.js'
import { IN_SCOPE } from './plans/index.js'

// One test per row and check of every in-scope vector file; the coverage guard reads the same plans.
for (const plan of IN_SCOPE) {
  const doc = loadVectors(plan.file)
  describe(`${plan.file} through the Node binding`, () => {
    for (const [path, checks] of Object.entries(plan.checks)) {
      describe(path, () => {
        for (const check of checks) {
          const rows = rowsFor(plan, doc, path, check).map(
            (row) => [rowName(row) ?? '(unnamed)', row] as const,
          )
          it.each(rows)(check.title, (_name, row) => check.run(row, doc))
        }
      })
    }
  })
}
