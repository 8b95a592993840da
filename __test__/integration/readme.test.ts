import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, inject, it } from 'vitest'

// The README is what users copy: every TypeScript block must compile as written (strict, against the
// package's own types), the Quick start must run against a real Redis, and so must the JS demo.

const root = fileURLToPath(new URL('../../', import.meta.url))
const url = inject('redisUrl')
const work = join(root, '.cache', `readme-${process.pid}`)
mkdirSync(work, { recursive: true })
afterAll(() => rmSync(work, { recursive: true, force: true }))

const tsBlocks = (file: string) =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string)
const blocks = tsBlocks('README.md')
// The guides' blocks are held to the same rule (the quick start stays blocks[0]).
const guideBlocks = tsBlocks('docs/interop-python.md')

function run(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--unhandled-rejections=strict', file],
      { timeout: 20_000, env: { ...process.env, REDIS_URL: url, CACHEKIT_REDIS_URL: '' } },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
          stdout,
          stderr,
        })
      },
    )
  })
}

describe('README.md', () => {
  it('has TypeScript blocks (the quick start first)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3)
    expect(blocks[0]).toContain("from 'cachekit'")
  })

  it('every TypeScript block compiles as written, with strict settings', () => {
    expect(guideBlocks.length).toBeGreaterThanOrEqual(1)
    const files = [...blocks, ...guideBlocks].map((code, i) => {
      const file = join(work, `block-${i}.ts`)
      // Each block is its own module (no shared top-level names between blocks).
      writeFileSync(file, `${code}\nexport {}\n`)
      return file
    })
    const program = ts.createProgram(files, {
      strict: true,
      noUncheckedIndexedAccess: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      baseUrl: root,
      paths: { cachekit: ['src/index.ts'] },
    })
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || files.includes(d.file.fileName))
      .map((d) => {
        const where =
          d.file === undefined
            ? ''
            : `${d.file.fileName.split('/').at(-1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `
        return where + ts.flattenDiagnosticMessageText(d.messageText, '\n')
      })
    expect(problems).toEqual([])
  }, 60_000)

  it('the Quick start runs against a real Redis and exits by itself', async () => {
    const js = ts.transpileModule(blocks[0] as string, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText
    const file = join(work, 'quick-start.mjs')
    writeFileSync(
      file,
      js.replace("from 'cachekit'", `from ${JSON.stringify(join(root, 'dist', 'index.js'))}`),
    )
    const result = await run(file)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("backend: 'redis'")
    expect(result.stdout).toContain('{ user: 42 }')
  })

  it('the JS demo (npm run demo) runs against a real Redis', async () => {
    const result = await run(join(root, 'examples', 'demo.mjs'))
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('hit (L2, fresh L1)')
  })
})
