import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The layers of src/ (docs/architecture.md), bottom first. A module may import its own layer and the
// layers below it, never one above; and no import cycle may exist between modules.
const LAYERS: ReadonlyArray<readonly [layer: string, matches: (path: string) => boolean]> = [
  ['foundation', (p) => ['errors.ts', 'defaults.ts', 'validate.ts'].includes(p)],
  ['native', (p) => p.startsWith('native/')],
  ['serializers', (p) => p.startsWith('serializers/')],
  ['keys', (p) => p.startsWith('keys/')],
  ['envelope', (p) => p.startsWith('envelope/')],
  ['backends', (p) => p.startsWith('backends/')],
  ['reliability', (p) => p.startsWith('reliability/')],
  ['cache', (p) => p.startsWith('cache/')],
  ['observability', (p) => p.startsWith('observability/')],
  ['api', (p) => p.startsWith('api/')],
  ['entry', (p) => p === 'index.ts'],
]

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.ts') ? [relative(src, path)] : []
  })
}

function layerOf(path: string): number {
  const index = LAYERS.findIndex(([, matches]) => matches(path))
  if (index < 0) throw new Error(`src/${path} belongs to no layer: add it to LAYERS and docs/architecture.md`)
  return index
}

/** Relative imports of a module (static, dynamic and type-only), as paths inside src/. */
function importsOf(path: string): string[] {
  const code = readFileSync(join(src, path), 'utf8')
  const found: string[] = []
  for (const match of code.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = relative(src, resolve(dirname(join(src, path)), match[1] as string))
    if (target.startsWith('..')) continue // the generated native loader, outside src/
    found.push(target.replace(/\.js$/, '.ts'))
  }
  return found
}

const files = sources(src)
const graph = new Map(files.map((f) => [f, importsOf(f)]))

describe('the layering of src/', () => {
  it('every module belongs to a layer', () => {
    for (const file of files) expect(() => layerOf(file)).not.toThrow()
  })

  it('nothing imports a higher layer', () => {
    const upward: string[] = []
    for (const [file, imports] of graph) {
      for (const target of imports) {
        if (layerOf(target) > layerOf(file)) {
          upward.push(
            `${file} (${LAYERS[layerOf(file)]?.[0]}) imports ${target} (${LAYERS[layerOf(target)]?.[0]})`,
          )
        }
      }
    }
    expect(upward).toEqual([])
  })

  it('no module imports one that does not exist', () => {
    const missing = [...graph].flatMap(([file, imports]) =>
      imports.filter((t) => !graph.has(t)).map((t) => `${file} -> ${t}`),
    )
    expect(missing).toEqual([])
  })

  it('has no import cycles', () => {
    const cycles: string[] = []
    const state = new Map<string, 'visiting' | 'done'>()
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '))
        return
      }
      state.set(file, 'visiting')
      for (const target of graph.get(file) ?? []) visit(target, [...path, file])
      state.set(file, 'done')
    }
    for (const file of files) visit(file, [])
    expect(cycles).toEqual([])
  })

  it('would notice an upward import (the check itself works)', () => {
    expect(layerOf('cache/engine.ts')).toBeGreaterThan(layerOf('backends/backend.ts'))
    expect(importsOf('cache/engine.ts')).toContain('cache/l2-tier.ts')
    expect(layerOf('observability/prometheus.ts')).toBeGreaterThan(layerOf('cache/events.ts'))
    expect(layerOf('api/options.ts')).toBeGreaterThan(layerOf('observability/index.ts'))
  })
})
