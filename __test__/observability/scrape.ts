/**
 * The Prometheus text exposition format, read back: every sample of a scrape with its labels, so a
 * test checks what a Prometheus server would store, not what the client library holds.
 */
export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

function unescapeLabel(value: string): string {
  return value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c))
}

export function parseScrape(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = SAMPLE.exec(line)
    if (match === null) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
      labels[key as string] = unescapeLabel(value as string)
    const raw = match[3] as string
    const value =
      raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw)
    samples.push({ name: match[1] as string, labels, value })
  }
  return samples
}

/** The samples of `name` whose labels include `where`. */
export function select(
  samples: readonly Sample[],
  name: string,
  where: Record<string, string> = {},
): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(where).every(([key, value]) => s.labels[key] === value),
  )
}

/** The sum of the samples of `name` whose labels include `where` (0 when there are none). */
export function total(samples: readonly Sample[], name: string, where: Record<string, string> = {}): number {
  return select(samples, name, where).reduce((sum, s) => sum + s.value, 0)
}

/** The one sample of `name` with exactly these labels; throws when it is missing. */
export function value(samples: readonly Sample[], name: string, labels: Record<string, string>): number {
  const found = samples.filter(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([key, v]) => s.labels[key] === v),
  )
  if (found.length !== 1) {
    throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${found.length}`)
  }
  return (found[0] as Sample).value
}
