// The native core side by side with what a Node user would compose instead: lz4-napi +
// @node-rs/xxhash (xxh64) + node:crypto AES-256-GCM. Medians of mitata's measurements, one run.
// Usage: npm run build && node benchmark/native.mjs [--quick]
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import { xxh64 } from '@node-rs/xxhash'
import { compressSync, uncompressSync } from 'lz4-napi'
import { do_not_optimize, measure } from 'mitata'
import { ByteStorage, checksum, lz4Compress, lz4Decompress, TenantKeys } from '../dist/index.js'
import { jsonBytes, randomData, SIZES } from './data.mjs'

const quick = process.argv.includes('--quick')
const opts = quick ? { min_cpu_time: 50e6 } : { min_cpu_time: 150e6 }
const storage = new ByteStorage()
const masterKey = randomBytes(32)
const keys = TenantKeys.derive(masterKey, 'bench')
const aesKey = randomBytes(32)
const cacheKey = 'bench:key:1'
const ctx = { cacheKey, format: 'msgpack', compressed: false }

// The composed alternative, written the way a user would: compress, checksum, then AES-GCM.
let counter = 0
function composedSeal(data) {
  const block = compressSync(data)
  const sum = xxh64(data)
  const iv = Buffer.alloc(12)
  iv.writeUInt32BE(++counter, 8)
  const cipher = createCipheriv('aes-256-gcm', aesKey, iv)
  const framed = Buffer.concat([Buffer.from(sum.toString(16).padStart(16, '0'), 'hex'), block])
  return Buffer.concat([iv, cipher.update(framed), cipher.final(), cipher.getAuthTag()])
}
function composedOpen(sealed) {
  const decipher = createDecipheriv('aes-256-gcm', aesKey, sealed.subarray(0, 12))
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  const framed = Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()])
  const data = uncompressSync(framed.subarray(8))
  if (xxh64(data) !== framed.readBigUInt64BE(0)) throw new Error('checksum')
  return data
}
function nodeEncrypt(data) {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', aesKey, iv)
  return Buffer.concat([iv, cipher.update(data), cipher.final(), cipher.getAuthTag()])
}
function nodeDecrypt(sealed) {
  const decipher = createDecipheriv('aes-256-gcm', aesKey, sealed.subarray(0, 12))
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()])
}

// lz4-napi returns external Buffers whose memory V8 does not count, so a tight loop of 1 MiB calls
// grows the process until the OOM killer ends it (measured: +2.1 GiB RSS for 1,500 calls, against
// +60 MiB for ByteStorage.store). Run with --expose-gc (npm run bench does) to collect in between.
const collect = globalThis.gc ?? (() => {})

async function median(fn) {
  const stats = await measure(() => do_not_optimize(fn()), opts)
  collect()
  return stats.p50
}

const rows = []
// Each side is measured twice, alternating, and the better median kept: the machine's load drifts.
async function compare(section, label, oursName, ours, altName, alt, bytes) {
  const a1 = await median(ours)
  const b1 = await median(alt)
  const a = Math.min(a1, await median(ours))
  const b = Math.min(b1, await median(alt))
  rows.push({ section, label, oursName, ours: a, altName, alt: b, ratio: b / a, bytes })
  process.stderr.write('.')
}

for (const [kind, make] of [
  ['JSON', jsonBytes],
  ['random', randomData],
]) {
  for (const [label, size] of SIZES) {
    const data = make(size)
    const env = storage.store(data)
    const block = compressSync(data)
    const sealed = keys.seal(data, { cacheKey })
    const composed = composedSeal(data)
    const name = `${label} ${kind}`
    await compare(
      'store (compress + checksum + envelope)',
      name,
      'ByteStorage.store',
      () => storage.store(data),
      'lz4-napi compressSync + xxh64',
      () => [compressSync(data), xxh64(data)],
      size,
    )
    await compare(
      'store vs lz4-napi alone',
      name,
      'ByteStorage.store',
      () => storage.store(data),
      'lz4-napi compressSync',
      () => compressSync(data),
      size,
    )
    await compare(
      'retrieve (checks + decompress + verify)',
      name,
      'ByteStorage.retrieve',
      () => storage.retrieve(env),
      'lz4-napi uncompressSync + xxh64',
      () => xxh64(uncompressSync(block)),
      size,
    )
    await compare(
      'retrieve vs lz4-napi alone',
      name,
      'ByteStorage.retrieve',
      () => storage.retrieve(env),
      'lz4-napi uncompressSync',
      () => uncompressSync(block),
      size,
    )
    await compare(
      'seal (envelope + AES-256-GCM, one call)',
      name,
      'TenantKeys.seal',
      () => keys.seal(data, { cacheKey }),
      'lz4-napi + xxh64 + node:crypto',
      () => composedSeal(data),
      size,
    )
    await compare(
      'open (AES-256-GCM + envelope, one call)',
      name,
      'TenantKeys.open',
      () => keys.open(sealed, { cacheKey }),
      'node:crypto + lz4-napi + xxh64',
      () => composedOpen(composed),
      size,
    )
    const ct = keys.encrypt(data, ctx)
    const nct = nodeEncrypt(data)
    await compare(
      'encrypt (AES-256-GCM only)',
      name,
      'TenantKeys.encrypt',
      () => keys.encrypt(data, ctx),
      'node:crypto',
      () => nodeEncrypt(data),
      size,
    )
    await compare(
      'decrypt (AES-256-GCM only)',
      name,
      'TenantKeys.decrypt',
      () => keys.decrypt(ct, ctx),
      'node:crypto',
      () => nodeDecrypt(nct),
      size,
    )
  }
}

const mib = jsonBytes(1024 * 1024)
const mibBlock = lz4Compress(mib)
const mibNapiBlock = compressSync(mib)
await compare(
  '1 MiB JSON throughput',
  'LZ4 compress',
  'lz4Compress',
  () => lz4Compress(mib),
  'lz4-napi compressSync',
  () => compressSync(mib),
  mib.length,
)
await compare(
  '1 MiB JSON throughput',
  'LZ4 decompress',
  'lz4Decompress',
  () => lz4Decompress(mibBlock, mib.length),
  'lz4-napi uncompressSync',
  () => uncompressSync(mibNapiBlock),
  mib.length,
)
await compare(
  '1 MiB JSON throughput',
  'checksum',
  'checksum (xxh3-64)',
  () => checksum(mib),
  '@node-rs/xxhash xxh64',
  () => xxh64(mib),
  mib.length,
)
process.stderr.write('\n')

const fmt = (ns) =>
  ns >= 1e6
    ? `${(ns / 1e6).toFixed(2)} ms`
    : ns >= 1e3
      ? `${(ns / 1e3).toFixed(2)} µs`
      : `${ns.toFixed(0)} ns`
const gbps = (bytes, ns) => `${(bytes / ns).toFixed(2)} GB/s`
console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
)
console.log('Ratio = alternative median / cachekit median (above 1: cachekit is faster).\n')
let section = ''
const order = [...new Set(rows.map((r) => r.section))]
rows.sort((x, y) => order.indexOf(x.section) - order.indexOf(y.section))
for (const r of rows) {
  if (r.section !== section) {
    section = r.section
    console.log(
      `\n### ${section}\n\n| input | ${r.oursName} | ${r.altName} | ratio | cachekit throughput |\n|---|---|---|---|---|`,
    )
  }
  console.log(
    `| ${r.label} | ${fmt(r.ours)} | ${fmt(r.alt)} | ${r.ratio.toFixed(2)}× | ${gbps(r.bytes, r.ours)} |`,
  )
}
