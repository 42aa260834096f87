import { scryptSync } from 'node:crypto'

/** scrypt with N = 2^15, r = 8, p = 1: about 100 ms here, for deriving a root key from a passphrase. */
export function scryptKey(passphrase: string, salt: Uint8Array, length = 32): Uint8Array {
  return new Uint8Array(
    scryptSync(passphrase, salt, length, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }),
  )
}
