import { createHash, createHmac } from 'node:crypto'
import type { HashName } from './hkdf.js'

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest())
}

export function hash(name: HashName, data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash(name).update(data).digest())
}

export function hmac(
  name: HashName,
  key: Uint8Array | string,
  data: Uint8Array | string,
): Uint8Array {
  return new Uint8Array(createHmac(name, key).update(data).digest())
}
