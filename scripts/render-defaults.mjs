// Rewrites the defaults tables in README.md from src/defaults.ts (via the built dist/).
// Usage: npm run build:ts && node scripts/render-defaults.mjs
import { readFileSync, writeFileSync } from 'node:fs'
import { renderDefaultsMarkdown } from '../dist/index.js'

const path = new URL('../README.md', import.meta.url)
const readme = readFileSync(path, 'utf8')
const start = readme.indexOf('| Intent | TTL (s) |')
const end = readme.indexOf('\n\n', readme.indexOf('| Setting | Default |'))
if (start < 0 || end < 0) throw new Error('README.md has no defaults tables to replace')
writeFileSync(path, readme.slice(0, start) + renderDefaultsMarkdown().trimEnd() + readme.slice(end))
