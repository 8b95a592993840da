import { MAX_NESTING } from './plain.js'

/**
 * A header walk over bytes the StandardSerializer is about to decode. msgpackr decodes far more than
 * plain MessagePack: its records (which change what later fixints mean), structured-clone references
 * (a 300-byte document can describe an object graph with 2^60 paths), Error, RegExp, Set, typed
 * arrays, and any extension another module registers globally. None of that is plain MessagePack,
 * and the serializer never writes it, so bytes holding any extension other than the timestamp (-1)
 * are refused before msgpackr sees them. The walk also bounds nesting (MAX_NESTING, the native
 * reader's limit) so msgpackr's recursion stays shallow, and notes whether a "__datetime__" key
 * occurs, so the sentinel revival only walks the values that may need it.
 *
 * One pass over the headers with a counter stack, nothing allocated per item: linear in the input.
 */

/** Bit set in the result when some str is exactly "__datetime__". */
export const HAS_DATETIME_KEY = 1

const DATETIME_KEY = Buffer.from('__datetime__', 'latin1')
const TIMESTAMP_EXT = 0xff
/** Length-field bytes of str 8, 16 and 32 (markers 0xd9, 0xda, 0xdb). */
const STR_LENGTH_BYTES = [1, 2, 4]

/** Items still owed by each open array or map (one reused stack: the walk calls no other code). */
const owed = new Float64Array(MAX_NESTING + 1)
/** Set by `longItem`: the child count an array or map header declares. */
let declaredChildren = 0

/** Throws an Error naming what is wrong; returns HAS_DATETIME_KEY or 0. */
export function scanPlainMsgpack(bytes: Uint8Array): number {
  const end = bytes.length
  let flags = 0
  // owed[0] is the root's slot; depth is the number of arrays and maps around the next item.
  let depth = 0
  let pos = 0
  owed[0] = 1
  for (;;) {
    if (pos >= end) throw new Error(`input ends at byte ${pos}, inside the document`)
    const marker = bytes[pos] as number
    pos++
    let children = 0
    // The one-byte headers first: they are most of any document.
    if (marker < 0x80 || marker >= 0xe0 || marker === 0xc0 || marker === 0xc2 || marker === 0xc3) {
      // fixints, nil, booleans
    } else if (marker < 0xa0) {
      children = marker < 0x90 ? (marker & 0x0f) * 2 : marker & 0x0f
      if (depth >= MAX_NESTING) throw new Error(`nesting deeper than ${MAX_NESTING} levels`)
    } else if (marker < 0xc0) {
      const length = marker & 0x1f
      if (length === DATETIME_KEY.length && isDatetimeKey(bytes, pos)) flags |= HAS_DATETIME_KEY
      pos += length
    } else {
      const lengthBytes = marker >= 0xd9 && marker <= 0xdb ? (STR_LENGTH_BYTES[marker - 0xd9] as number) : 0
      const payload = pos + lengthBytes
      pos = longItem(bytes, pos, marker)
      // A writer may spell the 12-byte key with any str header, not only a fixstr.
      if (lengthBytes > 0 && pos - payload === DATETIME_KEY.length && isDatetimeKey(bytes, payload)) {
        flags |= HAS_DATETIME_KEY
      }
      children = declaredChildren
      if (children > 0 && depth >= MAX_NESTING) {
        throw new Error(`nesting deeper than ${MAX_NESTING} levels`)
      }
    }
    if (children > 0) {
      owed[++depth] = children
      continue
    }
    // A complete item fills one slot of each collection it completes.
    while (--(owed[depth] as number) === 0) {
      if (depth === 0) {
        if (pos > end) throw new Error(`input ends inside a str, bin or ext payload at byte ${end}`)
        if (pos !== end) throw new Error(`${end - pos} trailing bytes after the document`)
        return flags
      }
      depth--
    }
  }
}

/**
 * The item at `pos - 1` with a multi-byte header: returns the position after its header and payload
 * (never past the input) and sets `declaredChildren` (0 but for array 16/32 and map 16/32).
 */
function longItem(bytes: Uint8Array, pos: number, marker: number): number {
  declaredChildren = 0
  let skip = 0
  switch (marker) {
    case 0xc4: // bin 8/16/32
    case 0xd9: // str 8/16/32
      skip = readLength(bytes, pos, 1)
      pos += 1
      break
    case 0xc5:
    case 0xda:
      skip = readLength(bytes, pos, 2)
      pos += 2
      break
    case 0xc6:
    case 0xdb:
      skip = readLength(bytes, pos, 4)
      pos += 4
      break
    case 0xc7: // ext 8/16/32: length, then the type byte
    case 0xc8:
    case 0xc9: {
      const size = marker === 0xc7 ? 1 : marker === 0xc8 ? 2 : 4
      skip = readLength(bytes, pos, size)
      pos += size
      checkExtension(bytes, pos, skip)
      pos += 1
      break
    }
    case 0xd4: // fixext 1/2/4/8/16: the type byte, then the data
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      skip = 1 << (marker - 0xd4)
      checkExtension(bytes, pos, skip)
      pos += 1
      break
    case 0xca: // float 32/64
      skip = 4
      break
    case 0xcb:
      skip = 8
      break
    case 0xcc: // uint 8/16/32/64, int 8/16/32/64
    case 0xd0:
      skip = 1
      break
    case 0xcd:
    case 0xd1:
      skip = 2
      break
    case 0xce:
    case 0xd2:
      skip = 4
      break
    case 0xcf:
    case 0xd3:
      skip = 8
      break
    case 0xdc: // array 16/32, map 16/32
      declaredChildren = readLength(bytes, pos, 2)
      return pos + 2
    case 0xdd:
      declaredChildren = readLength(bytes, pos, 4)
      return pos + 4
    case 0xde:
      declaredChildren = readLength(bytes, pos, 2) * 2
      return pos + 2
    case 0xdf:
      declaredChildren = readLength(bytes, pos, 4) * 2
      return pos + 4
    default:
      throw new Error(`reserved marker 0x${marker.toString(16)} at byte ${pos - 1}`)
  }
  pos += skip
  if (pos > bytes.length) {
    throw new Error(`input ends inside a str, bin or ext payload at byte ${bytes.length}`)
  }
  return pos
}

function readLength(bytes: Uint8Array, pos: number, size: number): number {
  if (pos + size > bytes.length) throw new Error(`input ends inside a header at byte ${pos}`)
  let n = 0
  for (let i = 0; i < size; i++) n = n * 256 + (bytes[pos + i] as number)
  return n
}

/** Only the standard timestamp (type -1, 4, 8 or 12 bytes) is plain MessagePack for this serializer. */
function checkExtension(bytes: Uint8Array, typePos: number, length: number): void {
  if (typePos >= bytes.length) throw new Error(`input ends inside an ext header at byte ${typePos}`)
  const type = bytes[typePos] as number
  if (type !== TIMESTAMP_EXT) {
    const signed = type > 127 ? type - 256 : type
    throw new Error(
      `extension type ${signed} at byte ${typePos} is not plain MessagePack (only the timestamp, -1, is)`,
    )
  }
  if (length !== 4 && length !== 8 && length !== 12) {
    throw new Error(`a timestamp of ${length} bytes at byte ${typePos} (4, 8 or 12 are valid)`)
  }
}

function isDatetimeKey(bytes: Uint8Array, pos: number): boolean {
  for (let i = 0; i < DATETIME_KEY.length; i++) {
    if (bytes[pos + i] !== DATETIME_KEY[i]) return false
  }
  return true
}
