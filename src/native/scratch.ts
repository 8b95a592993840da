/**
 * The scratch output path of the hot calls (see crates/node/src/scratch.rs): results that fit are
 * written into one private Buffer by the native call and copied out into a pooled Buffer, which is
 * several times cheaper than creating a Buffer from native code. Never passed as input.
 */
import type { Retrieved } from '../../native/binding.js'

export const SCRATCH = Buffer.allocUnsafeSlow(64 * 1024)

export function takeScratch(result: number | Buffer): Buffer {
  if (typeof result !== 'number') return result
  const out = Buffer.allocUnsafe(result)
  SCRATCH.copy(out, 0, 0, result)
  return out
}

/** Decodes a short format name from the scratch; ASCII without a native call. */
function scratchFormat(start: number, length: number): string {
  let ascii = ''
  for (let i = start; i < start + length; i++) {
    const c = SCRATCH[i] as number
    if (c >= 0x80) return SCRATCH.toString('utf8', start, start + length)
    ascii += String.fromCharCode(c)
  }
  return ascii
}

/** A retrieve/open result: `length * 256 + formatLength` in the scratch, or a full object. */
export function takeRetrieved(result: number | Retrieved): Retrieved {
  if (typeof result !== 'number') return result
  const formatLength = result & 0xff
  const length = (result - formatLength) / 256
  const data = Buffer.allocUnsafe(length)
  SCRATCH.copy(data, 0, 0, length)
  return { data, format: scratchFormat(length, formatLength) }
}
