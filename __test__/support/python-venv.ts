/**
 * The Python that the live interop suite runs the real cachekit in: the virtual environment
 * `scripts/setup-python.sh` creates at `.cache/interop-venv`, at the cachekit version that script pins.
 * A missing or different environment fails the suite with the command that fixes it: the suite is
 * never skipped.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SETUP_SCRIPT = join(repoRoot, 'scripts', 'setup-python.sh')
export const VENV_DIR = join(repoRoot, '.cache', 'interop-venv')
const FIX = 'run bash scripts/setup-python.sh'

/** The version `scripts/setup-python.sh` installs (its `CACHEKIT_PY_VERSION=` line). */
export function pinnedCachekitVersion(): string {
  const match = /^CACHEKIT_PY_VERSION=(\S+)$/m.exec(readFileSync(SETUP_SCRIPT, 'utf8'))
  if (match?.[1] === undefined) throw new Error(`${SETUP_SCRIPT} has no CACHEKIT_PY_VERSION= line`)
  return match[1]
}

/** The venv's python, checked to hold the pinned cachekit; throws an error saying how to fix it. */
export function interopPython(): string {
  const python = join(VENV_DIR, 'bin', 'python')
  if (!existsSync(python)) {
    throw new Error(`no Python environment for the interop tests at ${VENV_DIR}: ${FIX}`)
  }
  const pinned = pinnedCachekitVersion()
  let installed: string
  try {
    installed = execFileSync(python, ['-c', "import importlib.metadata as m; print(m.version('cachekit'))"], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim()
  } catch (error) {
    throw new Error(`${python} has no working cachekit (${(error as Error).message.split('\n')[0]}): ${FIX}`)
  }
  if (installed !== pinned) {
    throw new Error(`${VENV_DIR} holds cachekit ${installed}, the interop tests pin ${pinned}: ${FIX}`)
  }
  return python
}

export interface PythonRun {
  stdout: string
  stderr: string
  ms: number
}

/**
 * This process's environment without the variables Python cachekit configures itself from
 * (`CACHEKIT_*`, `REDIS_URL`): a CACHEKIT_MASTER_KEY set for other tests would make every plaintext
 * decorator refuse to start. The script gets everything it needs as arguments.
 */
function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PYTHONDONTWRITEBYTECODE: '1' }
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('CACHEKIT_') && name !== 'REDIS_URL') env[name] = value
  return env
}

/** Runs `python script ...args`; rejects with its exit status and stderr when it does not exit 0. */
export function runPython(python: string, args: string[], timeoutMs = 30_000): Promise<PythonRun> {
  const started = Date.now()
  return new Promise((resolvePromise, reject) => {
    execFile(
      python,
      args,
      // Outputs carry whole values (one shape is 1 MiB), read back plain and encrypted.
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: pythonEnv() },
      (error, stdout, stderr) => {
        const ms = Date.now() - started
        if (error === null) resolvePromise({ stdout, stderr, ms })
        else
          reject(new Error(`python ${args.join(' ')} failed after ${ms} ms (${error.message}):\n${stderr}`))
      },
    )
  })
}
