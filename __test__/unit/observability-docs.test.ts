import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { DIAGNOSTICS_CHANNELS, METRICS } from '../../src/observability/index.js'

// docs/observability.md and the Grafana dashboard are built on the metrics table in
// src/observability/metric-names.ts: every metric documented with its labels, every channel with
// its payload, and no dashboard query on a metric that does not exist.

const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8')
const doc = read('docs/observability.md')
const dashboard = JSON.parse(read('docs/grafana/cachekit.json')) as {
  panels: Array<{ targets?: Array<{ expr: string }> }>
}

describe('docs/observability.md and the dashboard', () => {
  it('documents every metric with its type and exact labels', () => {
    for (const metric of Object.values(METRICS)) {
      const labels = metric.labels.map((l) => `\`${l}\``).join(', ')
      expect(doc).toContain(`| \`${metric.name}\` | ${metric.type} | ${labels} | ${metric.help} |`)
    }
  })

  it('documents every diagnostics channel', () => {
    for (const name of Object.values(DIAGNOSTICS_CHANNELS))
      expect(doc).toMatch(new RegExp(`\\| \`${name}\` \\| .+ \\| \`\\{ .+ \\}\` \\|`))
  })

  it('the dashboard queries only metrics that exist, each series by its own name', () => {
    const known = new Set(
      Object.values(METRICS).flatMap((m) =>
        m.type === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name],
      ),
    )
    const used = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).flatMap((t) => t.expr.match(/cachekit_[a-z0-9_]+/g) ?? []),
    )
    expect(used.length).toBeGreaterThan(0)
    expect(used.filter((name) => !known.has(name))).toEqual([])
  })
})
