import { hkdfSync } from 'node:crypto'

export type HashName = 'sha256' | 'sha384' | 'sha512'

/** RFC 5869 HKDF (extract then expand). */
export function hkdf(
  hash: HashName,
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  return new Uint8Array(hkdfSync(hash, ikm, salt, info, length))
}
