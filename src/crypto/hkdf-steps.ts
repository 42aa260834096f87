import { createHmac } from 'node:crypto'
import type { HashName } from './hkdf.js'

const HASH_BYTES: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 }

/**
 * RFC 5869 HKDF-Extract (2.2). With `hkdfExpand` it equals `hkdf()`, split so that one
 * extraction serves many expansions (one pseudo-random key, a derived key per info).
 */
export function hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(hash, salt).update(ikm).digest())
}

/** RFC 5869 HKDF-Expand (2.3). */
export function hkdfExpand(
  hash: HashName,
  prk: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  const hashLen = HASH_BYTES[hash]
  if (!Number.isInteger(length) || length < 1 || length > 255 * hashLen) {
    throw new RangeError(`HKDF-Expand cannot produce ${length} bytes`)
  }
  const out = new Uint8Array(length)
  let previous = new Uint8Array(0)
  for (let i = 1, at = 0; at < length; i++) {
    const block = new Uint8Array(
      createHmac(hash, prk)
        .update(previous)
        .update(info)
        .update(new Uint8Array([i]))
        .digest(),
    )
    out.set(block.subarray(0, Math.min(hashLen, length - at)), at)
    previous.fill(0)
    previous = block
    at += hashLen
  }
  previous.fill(0)
  return out
}
