import { randomFillSync, randomUUID as nodeRandomUUID } from 'node:crypto'

// Small requests (nonces, data keys, ids) are served from a buffer filled 4 KiB at a time: one
// call into OpenSSL costs about as much as filling the whole buffer, and the server asks for
// random bytes several times per request. Bytes handed out are wiped from the buffer at once,
// so it never holds a copy of a key in use. Node's randomUUID keeps a buffer the same way.
const POOL_BYTES = 4096
const POOLED_MAX = 256
const pool = new Uint8Array(POOL_BYTES)
let used = POOL_BYTES

export function randomBytes(n: number): Uint8Array {
  // a NaN or fractional count would leave the pool's offset unusable: refuse it outright
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`randomBytes takes a whole number of bytes, not ${String(n)}`)
  }
  const out = new Uint8Array(n)
  if (n > POOLED_MAX) return randomFillSync(out)
  if (used + n > POOL_BYTES) {
    randomFillSync(pool)
    used = 0
  }
  out.set(pool.subarray(used, used + n))
  pool.fill(0, used, used + n)
  used += n
  return out
}

export function randomUUID(): string {
  return nodeRandomUUID()
}
