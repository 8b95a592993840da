/**
 * Loads the prebuilt addon through the loader napi-rs generates (`native/binding.cjs`), which
 * picks `cachekit.<platform>.node` beside it or the matching `cachekit-<platform>` package.
 * This is the only module that touches the binding.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type * as Binding from '../../native/binding.js'
import { NativeLoadError } from '../errors.js'

export type NativeBinding = typeof Binding

function platformName(): string {
  const libc =
    process.platform === 'linux'
      ? (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
          ?.glibcVersionRuntime
        ? '-gnu'
        : '-musl'
      : ''
  return `${process.platform}-${process.arch}${libc}`
}

function load(): NativeBinding {
  const require = createRequire(import.meta.url)
  // The package resolves itself by name, so this works from src/ (tests) and dist/ alike.
  const root = dirname(require.resolve('cachekit/package.json'))
  try {
    return require(join(root, 'native', 'binding.cjs')) as NativeBinding
  } catch (cause) {
    const platform = platformName()
    throw new NativeLoadError(
      'NATIVE_LOAD_FAILED',
      `cachekit has no native binary for ${platform} (Node ${process.versions.node}): ` +
        `reinstall with optional dependencies enabled (\`npm install cachekit --include=optional\`) so that ` +
        `\`cachekit-${platform}\` is installed; if your platform has no prebuilt package, build it from source ` +
        'with a Rust toolchain: `npm run build:native` in a clone of the repository',
      { cause },
    )
  }
}

export const native: NativeBinding = load()
