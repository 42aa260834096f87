import { createCipheriv, createDecipheriv } from 'node:crypto'
import { SealboxError, type ErrorCode } from '../errors/index.js'

export const GCM_IV_BYTES = 12
export const GCM_TAG_BYTES = 16

/** AES-GCM with a 12-byte IV and a 16-byte tag; the key length (16 or 32) picks AES-128 or AES-256. */
export function aesGcmEncrypt(
  key: Uint8Array,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = new Uint8Array(0),
): { ciphertext: Uint8Array; tag: Uint8Array } {
  const cipher = createCipheriv(gcmName(key), key, iv, { authTagLength: GCM_TAG_BYTES })
  cipher.setAAD(aad)
  const first = cipher.update(plaintext)
  const last = cipher.final()
  const ciphertext = last.length === 0 ? first : Buffer.concat([first, last])
  return {
    ciphertext: new Uint8Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.length),
    tag: new Uint8Array(cipher.getAuthTag()),
  }
}

/**
 * Returns plaintext only when the tag verifies; otherwise throws `failCode` (the caller names
 * what failed: a KMS blob, a frame, a header) and releases nothing.
 */
export function aesGcmDecrypt(
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad: Uint8Array = new Uint8Array(0),
  failCode: ErrorCode = 'InvalidCiphertextException',
  failMessage = 'ciphertext failed authentication',
): Uint8Array {
  if (tag.length !== GCM_TAG_BYTES) throw new SealboxError(failCode, failMessage)
  const decipher = createDecipheriv(gcmName(key), key, iv, { authTagLength: GCM_TAG_BYTES })
  decipher.setAAD(aad)
  decipher.setAuthTag(tag)
  const first = decipher.update(ciphertext)
  try {
    const last = decipher.final()
    const out = last.length === 0 ? first : Buffer.concat([first, last])
    return new Uint8Array(out.buffer, out.byteOffset, out.length)
  } catch {
    first.fill(0)
    throw new SealboxError(failCode, failMessage)
  }
}

function gcmName(key: Uint8Array): 'aes-256-gcm' | 'aes-128-gcm' | 'aes-192-gcm' {
  switch (key.length) {
    case 32:
      return 'aes-256-gcm'
    case 16:
      return 'aes-128-gcm'
    case 24:
      return 'aes-192-gcm'
    default:
      throw new SealboxError(
        'InternalError',
        `an AES key must be 16, 24 or 32 bytes, not ${key.length}`,
      )
  }
}
