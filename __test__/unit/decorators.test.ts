import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { cacheControl } from '../../src/index.js'
import type * as Fixture from './fixtures/standard-decorators.js'

// TypeScript 5 emits TC39 standard decorators (no experimentalDecorators) with its own helpers; this is
// the code users run. Import paths are made absolute so the compiled copy can live in a temp dir.
async function compileFixture(dir: string): Promise<typeof Fixture> {
  const source = fileURLToPath(new URL('./fixtures/standard-decorators.ts', import.meta.url))
  const src = fileURLToPath(new URL('../../src/index.ts', import.meta.url))
  const out = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  })
  const code = out.outputText.replace("'../../../src/index.js'", JSON.stringify(src))
  const file = join(dir, 'standard-decorators.mjs')
  writeFileSync(file, code)
  return import(/* @vite-ignore */ file)
}

const dir = mkdtempSync(join(tmpdir(), 'cachekit-decorators-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const { AdminService, UserService, backend, calls } = await compileFixture(dir)

describe('standard method decorators', () => {
  it('@cache (bare) caches by arguments, not by instance, under ClassName.method', async () => {
    const a = new UserService('primary')
    const b = new UserService('primary')
    calls.mockClear()
    expect(await a.find(1)).toEqual({ id: 1, db: 'primary' })
    expect(await b.find(1)).toEqual({ id: 1, db: 'primary' })
    expect(calls).toHaveBeenCalledTimes(1)
    const control = cacheControl(a, 'find')
    expect(control.info().namespace).toBe('UserService.find')
    expect(control.key(1)).toMatch(/^ck:UserService\.find:[0-9a-f]{64}$/)
  })

  it('a subclass shares the namespace of the class that defines the method', async () => {
    new UserService('x')
    const admin = new AdminService('x')
    expect(cacheControl(admin, 'find').info().namespace).toBe('UserService.find')
  })

  it('@cache(options) applies them, and controls work through the prototype', async () => {
    const svc = new UserService('p')
    calls.mockClear()
    await svc.byEmail('a@x')
    await svc.byEmail('a@x')
    expect(calls).toHaveBeenCalledTimes(1)
    const control = cacheControl(svc, 'byEmail')
    expect(control.info()).toMatchObject({ namespace: 'users.byEmail', ttl: 60, backend: 'memory', l2: true })
    expect(await backend.exists(control.key('a@x'))).toBe(true)
    expect(await control.invalidate('a@x')).toBe(true)
    await svc.byEmail('a@x')
    expect(calls).toHaveBeenCalledTimes(2)
  })

  it('intents decorate too, bare and with options', async () => {
    const svc = new UserService('p')
    calls.mockClear()
    expect(svc.total(2, 3)).toBe(5)
    expect(svc.total(2, 3)).toBe(5)
    expect(await svc.minimalOne(4)).toBe(4)
    expect(await svc.minimalOne(4)).toBe(4)
    expect(calls).toHaveBeenCalledTimes(2)
    expect(cacheControl(svc, 'minimalOne').info().ttl).toBe(300)
    expect(cacheControl(svc, 'total').info().l2).toBe(false)
  })

  it('a key function may use this', async () => {
    const a = new UserService('east')
    const b = new UserService('west')
    expect(await a.perDb(1)).toBe('east:1')
    expect(await b.perDb(1)).toBe('west:1')
    expect(cacheControl(a, 'perDb').key(1)).toBe('ck:UserService.perDb:east:1')
  })

  it('static methods use the class name', async () => {
    calls.mockClear()
    expect(await UserService.version()).toBe('1.0')
    expect(await UserService.version()).toBe('1.0')
    expect(calls).toHaveBeenCalledTimes(1)
    expect(cacheControl(UserService, 'version').info().namespace).toBe('UserService.version')
  })

  it('refresh and bypass run with the instance as this', async () => {
    const svc = new UserService('r')
    calls.mockClear()
    const control = cacheControl(svc, 'find')
    expect(await control.refresh(99)).toEqual({ id: 99, db: 'r' })
    expect(await control.bypass(99)).toEqual({ id: 99, db: 'r' })
    expect(await svc.find(99)).toEqual({ id: 99, db: 'r' })
    expect(calls).toHaveBeenCalledTimes(2)
  })
})
