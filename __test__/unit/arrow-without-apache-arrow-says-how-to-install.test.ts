import { afterEach, describe, expect, it, vi } from 'vitest'

// apache-arrow is an optional peer dependency. Where it is not installed, the ArrowSerializer must
// say so with the command that fixes it, and try again on the next load (after an install the
// process need not restart). Its absence is simulated by a module factory that throws, as Node's
// resolver does for a missing package.

describe('ArrowSerializer without apache-arrow installed', () => {
  afterEach(() => {
    vi.doUnmock('apache-arrow')
    vi.resetModules()
  })

  it('load() rejects with MISSING_OPTIONAL_DEPENDENCY naming the install command, and a later load retries', async () => {
    vi.resetModules()
    vi.doMock('apache-arrow', () => {
      throw new Error("Cannot find package 'apache-arrow'")
    })
    const { ArrowSerializer } = await import('../../src/serializers/arrow.js')
    // The same module graph as the serializer's (resetModules gave it fresh copies of every module).
    const { ConfigurationError } = await import('../../src/errors.js')
    const s = new ArrowSerializer()
    const failure = await s.load().then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(failure).toBeInstanceOf(ConfigurationError)
    expect(failure).toMatchObject({
      code: 'MISSING_OPTIONAL_DEPENDENCY',
      message:
        'ArrowSerializer needs the optional peer dependency apache-arrow: run `npm install apache-arrow`',
    })
    expect((failure as Error).cause).toBeInstanceOf(Error)

    // Installed now: the same serializer loads.
    vi.doUnmock('apache-arrow')
    await expect(s.load()).resolves.toBeUndefined()
  })
})
