import { ByteReader, ByteWriter, concatBytes, fromUtf8, utf8 } from '../../bytes/index.js'
import { aesGcmDecrypt, aesGcmEncrypt, hkdf, randomBytes } from '../../crypto/index.js'
import { SealboxError } from '../../errors/index.js'
import { serializeEncryptionContext, type EncryptionContext } from '../../encoding/index.js'

// 'S': neither an AWS KMS blob (0x01) nor an AWS Encryption SDK message (0x01/0x02).
const BLOB_VERSION = 0x53
const NONCE_BYTES = 16
const INFO = utf8('sealbox kms ciphertext blob v1')

export interface BlobHeader {
  keyId: string
  version: number
}

/**
 * The embedded KMS's ciphertext blob (DESIGN.md decision 3):
 * `0x53 | u8 len | key id | u32 backing-key version | 16-byte nonce | ciphertext | 16-byte tag`.
 * The blob key and IV come from HKDF-SHA256 over the backing key, salted with the nonce and bound
 * to the header; the AAD is the header followed by the canonical encryption context.
 */
export function sealBlob(
  header: BlobHeader,
  backingKey: Uint8Array,
  plaintext: Uint8Array,
  context: EncryptionContext,
): Uint8Array {
  const head = new ByteWriter(64)
    .u8(BLOB_VERSION)
    .bytes(lenPrefixed(header.keyId))
    .u32(header.version)
    .bytes(randomBytes(NONCE_BYTES))
    .finish()
  const { key, iv } = blobKey(backingKey, head)
  const { ciphertext, tag } = aesGcmEncrypt(
    key,
    iv,
    plaintext,
    concatBytes(head, serializeEncryptionContext(context)),
  )
  key.fill(0)
  return concatBytes(head, ciphertext, tag)
}

/** Reads the header without authenticating it; any malformation is `InvalidCiphertextException`. */
export function readBlobHeader(blob: Uint8Array): BlobHeader & { headerLength: number } {
  try {
    const r = new ByteReader(blob, 'ciphertext blob', 'InvalidCiphertextException')
    const version = r.u8()
    if (version !== BLOB_VERSION) throw invalid(foreignBlobHint(blob))
    const keyId = fromUtf8(r.take(r.u8()))
    const keyVersion = r.u32()
    r.take(NONCE_BYTES)
    if (r.remaining < 16) throw invalid()
    return { keyId, version: keyVersion, headerLength: r.offset }
  } catch (e) {
    if (e instanceof SealboxError && e.code === 'InvalidCiphertextException') throw e
    throw invalid()
  }
}

export function openBlob(
  blob: Uint8Array,
  backingKey: Uint8Array,
  context: EncryptionContext,
): Uint8Array {
  const { headerLength } = readBlobHeader(blob)
  const head = blob.subarray(0, headerLength)
  const { key, iv } = blobKey(backingKey, head)
  try {
    return aesGcmDecrypt(
      key,
      iv,
      blob.subarray(headerLength, blob.length - 16),
      blob.subarray(blob.length - 16),
      concatBytes(head, serializeEncryptionContext(context)),
      'InvalidCiphertextException',
      '',
    )
  } finally {
    key.fill(0)
  }
}

function blobKey(backingKey: Uint8Array, head: Uint8Array): { key: Uint8Array; iv: Uint8Array } {
  const nonce = head.subarray(head.length - NONCE_BYTES)
  const okm = hkdf('sha256', backingKey, nonce, concatBytes(INFO, head), 44)
  return { key: okm.subarray(0, 32), iv: okm.slice(32) }
}

function lenPrefixed(text: string): Uint8Array {
  const b = utf8(text)
  return concatBytes(Uint8Array.of(b.length), b)
}

// AWS answers a mismatched context or a corrupted blob with an empty message; so do we.
function invalid(message = ''): SealboxError {
  return new SealboxError('InvalidCiphertextException', message)
}

function foreignBlobHint(blob: Uint8Array): string {
  const suite = blob.length >= 3 ? (blob[1]! << 8) | blob[2]! : -1
  if (blob[0] === 0x02 && (suite === 0x0478 || suite === 0x0578)) {
    return 'this looks like an AWS Encryption SDK message, not a KMS ciphertext blob: use sealbox decrypt'
  }
  if (blob[0] === 0x01 && blob[1] === 0x80) {
    return 'this looks like an AWS Encryption SDK message, not a KMS ciphertext blob: use sealbox decrypt'
  }
  if (blob[0] === 0x01)
    return 'this looks like a ciphertext blob of AWS KMS itself, which only AWS KMS can decrypt'
  return ''
}
