// The vitest configuration Stryker runs (stryker.config.mjs): vitest.config.ts with only its
// `critical` project (unit + conformance). The integration project needs the Redis its globalSetup
// starts, and the legacy-decorators project tests compilation, not src/ behaviour.
import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

const critical = base.test?.projects?.find(
  (project) => typeof project === 'object' && 'test' in project && project.test?.name === 'critical',
)
if (critical === undefined) throw new Error('vitest.config.ts has no project named "critical"')

export default defineConfig({ test: { ...base.test, projects: [critical] } })
