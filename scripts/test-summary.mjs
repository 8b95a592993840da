// Prints the vitest totals of the last `npm run test:js` as one plain line for CI logs.
import { readFileSync } from 'node:fs'

const report = JSON.parse(readFileSync(new URL('../.cache/vitest-report.json', import.meta.url), 'utf8'))
const skipped = report.numPendingTests + report.numTodoTests
console.log(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`)
if (report.numTotalTests === 0 || report.numFailedTests > 0) process.exit(1)
