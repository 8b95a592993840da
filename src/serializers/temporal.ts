/**
 * Python's auto mode writes a datetime as the map `{ "__datetime__": true, "value": dt.isoformat() }`
 * inside plain MessagePack, and the protocol says a reader revives it as its datetime type
 * (wire-format.json, temporal_sentinel_vectors). One predicate decides both what is revived and what
 * the StandardSerializer refuses to write, so a value never reads back different from what was
 * written.
 *
 * Revived: a map of exactly those two keys, the marker `true`, and a string in one of the forms
 * `isoformat()` writes for an aware datetime: `YYYY-MM-DDTHH[:MM[:SS[.fff|.ffffff]]]` then an offset
 * `±HH:MM[:SS[.ffffff]]` (or `Z`). The Date is that instant, rounded down to the millisecond (a Date
 * holds no microseconds, as for the msgpack timestamp). A naive datetime (no offset) stays a map: its
 * instant depends on the zone of the machine that wrote it, which the reader cannot know, and
 * guessing UTC or the reader's zone would silently shift it (the interop format refuses naive
 * datetimes for the same reason).
 */

const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{3}|\d{6}))?)?)?(?:(Z)|([+-])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{6}))?)?)$/

/** Epoch milliseconds of an aware Python isoformat() string, or undefined when it is not one. */
export function parsePythonDatetime(text: string): number | undefined {
  const m = ISO_DATETIME.exec(text)
  if (m === null) return undefined
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined
  }
  const local = new Date(0)
  local.setUTCFullYear(year, month - 1, day)
  local.setUTCHours(hour, minute, second, 0)
  // setUTCFullYear rolls an impossible day (Feb 30) into the next month.
  if (local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) return undefined
  let offsetMicros = 0
  if (m[8] === undefined) {
    const [offHours, offMinutes, offSeconds] = [10, 11, 12].map((i) => Number(m[i] ?? 0)) as [
      number,
      number,
      number,
    ]
    if (offHours > 23 || offMinutes > 59 || offSeconds > 59) return undefined
    const magnitude = ((offHours * 60 + offMinutes) * 60 + offSeconds) * 1e6 + micros(m[13])
    offsetMicros = m[9] === '-' ? -magnitude : magnitude
  }
  // instant = local - offset, in microseconds; split so no intermediate leaves the safe integers.
  return local.getTime() + Math.floor((micros(m[7]) - offsetMicros) / 1000)
}

function micros(fraction: string | undefined): number {
  if (fraction === undefined) return 0
  return fraction.length === 3 ? Number(fraction) * 1000 : Number(fraction)
}

/** The Date a decoded map stands for, or undefined when it is not a datetime sentinel. */
export function sentinelDate(obj: Record<string, unknown>, keys: readonly string[]): Date | undefined {
  if (keys.length !== 2) return undefined
  const [first, second] = keys
  const shaped =
    (first === '__datetime__' && second === 'value') || (first === 'value' && second === '__datetime__')
  if (!shaped || obj.__datetime__ !== true || typeof obj.value !== 'string') return undefined
  const ms = parsePythonDatetime(obj.value)
  return ms === undefined ? undefined : new Date(ms)
}

/** For the write-side walk: the fix to suggest when an object would be read back as a Date. */
export function refuseSentinelShape(
  obj: Record<string, unknown>,
  keys: readonly string[],
): string | undefined {
  if (sentinelDate(obj, keys) === undefined) return undefined
  return "it has the shape of Python's datetime sentinel ({ __datetime__: true, value: <ISO datetime> }) and would be read back as a Date: store a Date, or add or rename a key"
}

/**
 * Replaces every datetime sentinel in a decoded value by its Date, in place, and returns the value
 * (or the Date, for a sentinel at the top). The value comes from the StandardSerializer's decoder: a
 * tree at most 1024 deep, so the recursion is bounded.
 */
export function reviveDatetimes(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const child = value[i]
      if (typeof child === 'object' && child !== null) value[i] = reviveDatetimes(child)
    }
    return value
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  const date = sentinelDate(record, keys)
  if (date !== undefined) return date
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const child = record[key]
    if (typeof child === 'object' && child !== null) record[key] = reviveDatetimes(child)
  }
  return value
}
