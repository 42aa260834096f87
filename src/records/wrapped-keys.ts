import { ByteReader, ByteWriter, fromUtf8, utf8 } from '../bytes/index.js'
import { fromBase64, toBase64 } from '../encoding/index.js'
import { SealboxError } from '../errors/index.js'

/** One KMS-wrapped copy of a record's data key. */
export interface WrappedKey {
  keyArn: string
  ciphertextBlob: Uint8Array
}

export const WRAPPED_KEYS_PREFIX = 'v1:'

/**
 * The key column: `v1:` + base64(count u8, then per key: keyArn (u16 length + UTF-8),
 * blob (u16 length + bytes)). The prefix lets a query pick records by format version.
 */
export function encodeWrappedKeys(keys: readonly WrappedKey[]): string {
  if (keys.length === 0 || keys.length > 255) {
    throw new SealboxError('ValidationException', 'a record holds between 1 and 255 wrapped keys')
  }
  const w = new ByteWriter(256).u8(keys.length)
  for (const k of keys) w.bytes16(utf8(k.keyArn)).bytes16(k.ciphertextBlob)
  return WRAPPED_KEYS_PREFIX + toBase64(w.finish())
}

export function decodeWrappedKeys(stored: string, where: string): WrappedKey[] {
  if (!stored.startsWith(WRAPPED_KEYS_PREFIX)) {
    throw new SealboxError('UnsupportedFormat', `the key column of ${where} has an unknown version`)
  }
  try {
    const r = new ByteReader(fromBase64(stored.slice(WRAPPED_KEYS_PREFIX.length)), 'record key')
    const n = r.u8('count')
    const out: WrappedKey[] = []
    for (let i = 0; i < n; i++) {
      const keyArn = fromUtf8(r.bytes16('key arn'))
      out.push({ keyArn, ciphertextBlob: r.bytes16('ciphertext blob') })
    }
    if (n === 0 || r.remaining !== 0) throw new Error('bad length')
    return out
  } catch {
    throw new SealboxError('RecordTampered', `the key column of ${where} is malformed`)
  }
}
