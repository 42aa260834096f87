import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto'
import { SealboxError } from '../errors/index.js'
import { GCM_TAG_BYTES } from './aes-gcm.js'

type GcmName = 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm'

/**
 * An AES-GCM key imported once and used for many operations (the per-message key of the message
 * format: one header tag and one operation per frame). The key bytes live in a KeyObject, so the
 * caller can zero its own copy right after construction.
 */
export class GcmKey {
  private key: KeyObject | undefined
  private readonly algorithm: GcmName

  constructor(bytes: Uint8Array) {
    this.algorithm = gcmName(bytes.length)
    this.key = createSecretKey(bytes)
  }

  private get keyObject(): KeyObject {
    if (this.key === undefined)
      throw new SealboxError('InternalError', 'the message key was already released')
    return this.key
  }

  /**
   * Encrypts `plaintext` and writes ciphertext then the 16-byte tag into `out` at `outOffset`.
   * Returns the offset after the tag.
   */
  sealInto(
    iv: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    out: Uint8Array,
    outOffset: number,
  ): number {
    const cipher = createCipheriv(this.algorithm, this.keyObject, iv, {
      authTagLength: GCM_TAG_BYTES,
    })
    cipher.setAAD(aad)
    let pos = outOffset
    if (plaintext.length > 0) {
      const ct = cipher.update(plaintext)
      out.set(ct, pos)
      pos += ct.length
    }
    const rest = cipher.final()
    if (rest.length > 0) {
      out.set(rest, pos)
      pos += rest.length
    }
    out.set(cipher.getAuthTag(), pos)
    return pos + GCM_TAG_BYTES
  }

  /**
   * Decrypts and verifies one ciphertext. Returns the plaintext only when the tag verifies; on a
   * bad tag returns `undefined` (the caller knows which failure class that is) and the decrypted
   * bytes are zeroed before they can escape.
   */
  open(
    iv: Uint8Array,
    aad: Uint8Array,
    ciphertext: Uint8Array,
    tag: Uint8Array,
  ): Buffer | undefined {
    if (tag.length !== GCM_TAG_BYTES) return undefined
    const decipher = createDecipheriv(this.algorithm, this.keyObject, iv, {
      authTagLength: GCM_TAG_BYTES,
    })
    decipher.setAAD(aad)
    decipher.setAuthTag(tag)
    const plaintext = ciphertext.length > 0 ? decipher.update(ciphertext) : Buffer.alloc(0)
    try {
      const rest = decipher.final()
      return rest.length === 0 ? plaintext : Buffer.concat([plaintext, rest])
    } catch {
      plaintext.fill(0)
      return undefined
    }
  }

  /** Drops the reference to the key; further use throws. */
  destroy(): void {
    this.key = undefined
  }
}

function gcmName(length: number): GcmName {
  switch (length) {
    case 32:
      return 'aes-256-gcm'
    case 24:
      return 'aes-192-gcm'
    case 16:
      return 'aes-128-gcm'
    default:
      throw new SealboxError(
        'InternalError',
        `an AES key must be 16, 24 or 32 bytes, not ${length}`,
      )
  }
}
