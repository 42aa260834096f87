import { createHash, createHmac } from 'node:crypto'

// The digests of AWS Signature Version 4, shaped for its hot path (one verification per
// request): hex output where the algorithm hashes hex, raw bytes for the HMAC chain.

/** Lowercase hex SHA-256, as SigV4 hashes payloads and canonical requests. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** HMAC-SHA256 as raw bytes. */
export function hmacSha256(key: Uint8Array | string, data: string): Uint8Array {
  const out = createHmac('sha256', key).update(data).digest()
  return new Uint8Array(out.buffer, out.byteOffset, out.length)
}
