import { ByteReader, ByteWriter, compareBytes, fromUtf8, utf8 } from '../bytes/index.js'
import { SealboxError } from '../errors/index.js'

/** Non-secret string pairs bound to a ciphertext as authenticated data. */
export type EncryptionContext = Readonly<Record<string, string>>

/**
 * Canonical bytes of an encryption context, exactly as the AWS Encryption SDK serializes it
 * (message format, "Encryption Context"): u16 pair count, then pairs sorted by the UTF-8 bytes
 * of the key, each `u16 len | key | u16 len | value`. An empty context is zero bytes.
 * Length prefixes make `{"ab":"c"}` and `{"a":"bc"}` different byte strings.
 */
export function serializeEncryptionContext(context: EncryptionContext): Uint8Array {
  const pairs = Object.entries(context).map(([k, v]) => [utf8(k), utf8(v)] as const)
  if (pairs.length === 0) return new Uint8Array(0)
  if (pairs.length > 0xffff) {
    throw new SealboxError('ValidationException', 'encryption context has more than 65535 pairs')
  }
  pairs.sort((a, b) => compareBytes(a[0], b[0]))
  const w = new ByteWriter()
  w.u16(pairs.length)
  for (const [k, v] of pairs) {
    if (k.length > 0xffff || v.length > 0xffff) {
      throw new SealboxError(
        'ValidationException',
        'encryption context key or value exceeds 65535 bytes',
      )
    }
    w.bytes16(k).bytes16(v)
  }
  return w.finish()
}

/**
 * Strict inverse of `serializeEncryptionContext`: refuses duplicate keys, unsorted pairs and
 * trailing bytes, so each context has exactly one accepted encoding.
 */
export function parseEncryptionContext(bytes: Uint8Array): Record<string, string> {
  const context: Record<string, string> = Object.create(null) as Record<string, string>
  if (bytes.length === 0) return context
  const r = new ByteReader(bytes, 'encryption context', 'NotAMessage')
  const count = r.u16('pair count')
  if (count === 0) throw new SealboxError('NotAMessage', 'encryption context has a zero pair count')
  let previous: Uint8Array | undefined
  for (let i = 0; i < count; i++) {
    const k = r.bytes16('key')
    const v = r.bytes16('value')
    if (previous !== undefined && compareBytes(previous, k) >= 0) {
      throw new SealboxError('NotAMessage', 'encryption context keys are duplicated or not sorted')
    }
    previous = k
    context[fromUtf8(k)] = fromUtf8(v)
  }
  if (r.remaining !== 0)
    throw new SealboxError('NotAMessage', 'encryption context has trailing bytes')
  return context
}

/** True when both contexts hold exactly the same pairs (order does not matter). */
export function sameContext(a: EncryptionContext, b: EncryptionContext): boolean {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && b[k] === a[k])
}
