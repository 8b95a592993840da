/**
 * Redis Cluster hash slots. A key's slot is CRC16 (XMODEM: polynomial 0x1021, initial value 0) of
 * its hash tag, or else of the whole key, modulo 16384. The hash tag is the text between the first
 * `{` and the first `}` after it, when that text is not empty. Redis hashes the key's bytes (UTF-8
 * here); `{` and `}` are single bytes in UTF-8, so finding them in the text finds them in the bytes.
 *
 * A multi-key command (MGET, a MULTI/EXEC, a script's KEYS, UNLINK of several keys) must name keys
 * of one slot on a cluster; RedisBackend groups keys with `slotGroups` before sending such commands.
 */

export const SLOT_COUNT = 16384

const TABLE = (() => {
  const table = new Uint16Array(256)
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    }
    table[byte] = crc
  }
  return table
})()

/** CRC16-XMODEM of the UTF-8 bytes of `text`. */
function crc16(text: string): number {
  let crc = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    // Anything beyond ASCII: hash the UTF-8 encoding instead (keys are almost always ASCII).
    if (code >= 0x80) return crc16Bytes(Buffer.from(text, 'utf8'))
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ code) & 0xff] as number)
  }
  return crc
}

function crc16Bytes(bytes: Uint8Array): number {
  let crc = 0
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number)
  return crc
}

/** The part of `key` that decides its slot: its hash tag when it has a non-empty one, else all of it. */
export function hashedPart(key: string): string {
  const open = key.indexOf('{')
  if (open === -1) return key
  const close = key.indexOf('}', open + 1)
  return close > open + 1 ? key.slice(open + 1, close) : key
}

/** The Redis Cluster slot (0 to 16383) of `key`. */
export function keySlot(key: string): number {
  return crc16(hashedPart(key)) % SLOT_COUNT
}

/** The positions of `keys` grouped by slot, each group in the order of `keys`. */
export function slotGroups(keys: readonly string[]): number[][] {
  const bySlot = new Map<number, number[]>()
  for (let i = 0; i < keys.length; i++) {
    const slot = keySlot(keys[i] as string)
    const group = bySlot.get(slot)
    if (group === undefined) bySlot.set(slot, [i])
    else group.push(i)
  }
  return [...bySlot.values()]
}
