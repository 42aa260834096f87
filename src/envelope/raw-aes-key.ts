import { constantTimeEqual, fromUtf8, utf8, zero } from '../bytes/index.js'
import { aesGcmDecrypt, aesGcmEncrypt, randomBytes, sha256 } from '../crypto/index.js'
import { SealboxError } from '../errors/index.js'
import type { EncryptedDataKey } from '../format/index.js'

const TAG_BITS = 128
const IV_BYTES = 12
const TAG_BYTES = 16
/** Key name ‖ u32 tag length in bits ‖ u32 IV length ‖ IV (framework/raw-aes-keyring.md). */
const INFO_SUFFIX = 4 + 4 + IV_BYTES

/**
 * A local AES wrapping key: the AWS Encryption SDK's raw AES keyring, so messages wrapped with it
 * open in the official SDKs given the same namespace, name and key. The data key is wrapped with
 * AES-GCM under a random IV, with the serialized encryption context as AAD.
 */
export class RawAesKey {
  readonly keyNamespace: string
  readonly keyName: string
  readonly #key: Uint8Array
  /** Tells keys with the same names apart (cache keys) without revealing them. */
  readonly fingerprint: string

  constructor(keyNamespace: string, keyName: string, key: Uint8Array) {
    if (keyNamespace.length === 0 || keyName.length === 0) {
      throw new SealboxError(
        'ValidationException',
        'a raw key needs a non-empty namespace and name',
      )
    }
    if (keyNamespace === 'aws-kms') {
      throw new SealboxError(
        'ValidationException',
        "a raw key's namespace cannot be 'aws-kms' (reserved for KMS keys)",
      )
    }
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new SealboxError(
        'ValidationException',
        `a raw AES key must be 16, 24 or 32 bytes, not ${key.length}`,
      )
    }
    this.keyNamespace = keyNamespace
    this.keyName = keyName
    // A copy, even of a Buffer (whose slice() is a view): the caller may zero its bytes.
    this.#key = new Uint8Array(key)
    this.fingerprint = Buffer.from(sha256(this.#key)).toString('hex').slice(0, 16)
  }

  /** Wraps a data key; `contextBytes` is the serialized context stored in the message. */
  wrap(dataKey: Uint8Array, contextBytes: Uint8Array): EncryptedDataKey {
    const iv = randomBytes(IV_BYTES)
    const { ciphertext, tag } = aesGcmEncrypt(this.#key, iv, dataKey, contextBytes)
    const name = utf8(this.keyName)
    const info = Buffer.alloc(name.length + INFO_SUFFIX)
    info.set(name, 0)
    info.writeUInt32BE(TAG_BITS, name.length)
    info.writeUInt32BE(IV_BYTES, name.length + 4)
    info.set(iv, name.length + 8)
    const wrapped = new Uint8Array(ciphertext.length + TAG_BYTES)
    wrapped.set(ciphertext, 0)
    wrapped.set(tag, ciphertext.length)
    return {
      providerId: this.keyNamespace,
      providerInfo: new Uint8Array(info),
      ciphertext: wrapped,
    }
  }

  /** True when the entry names this key (namespace, name, tag and IV lengths). */
  matches(edk: EncryptedDataKey): boolean {
    const parsed = parseRawAesInfo(edk.providerInfo)
    return (
      edk.providerId === this.keyNamespace &&
      parsed !== undefined &&
      parsed.keyName === this.keyName
    )
  }

  /**
   * Unwraps an entry this key matches; undefined when the tag fails (another key with the same
   * name, or an altered context). Tries each candidate AAD (the canonical context first).
   */
  unwrap(
    edk: EncryptedDataKey,
    contextCandidates: readonly Uint8Array[],
    keyBytes: number,
  ): Uint8Array | undefined {
    const parsed = parseRawAesInfo(edk.providerInfo)
    if (parsed === undefined || edk.ciphertext.length !== keyBytes + TAG_BYTES) return undefined
    const ct = edk.ciphertext.subarray(0, keyBytes)
    const tag = edk.ciphertext.subarray(keyBytes)
    for (const aad of contextCandidates) {
      try {
        return aesGcmDecrypt(this.#key, parsed.iv, ct, tag, aad)
      } catch {
        // try the next candidate
      }
    }
    return undefined
  }

  /** Overwrites the wrapping key held by this object. */
  destroy(): void {
    zero(this.#key)
  }

  sameKey(other: RawAesKey): boolean {
    return constantTimeEqual(this.#key, other.#key)
  }
}

/** The key name and IV of a raw AES entry's provider info, or undefined if it is not one. */
export function parseRawAesInfo(info: Uint8Array): { keyName: string; iv: Uint8Array } | undefined {
  if (info.length < INFO_SUFFIX + 1) return undefined
  const at = info.length - INFO_SUFFIX
  const view = Buffer.from(info.buffer, info.byteOffset, info.length)
  if (view.readUInt32BE(at) !== TAG_BITS || view.readUInt32BE(at + 4) !== IV_BYTES) return undefined
  try {
    return { keyName: fromUtf8(info.subarray(0, at)), iv: info.subarray(at + 8) }
  } catch {
    return undefined
  }
}
