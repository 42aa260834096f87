import type { EncryptionContext } from '../encoding/index.js'
import type { KmsPort } from '../kms/types/index.js'
import type { DataKeyCache } from './data-key-cache.js'
import type { RawAesKey } from './raw-aes-key.js'

/**
 * The default frame length. Per-frame costs (a cipher object, a tag, 32 bytes: 0.01% at 256 KiB)
 * vanish next to the cipher from 64 KiB up; the official SDK's 4 KiB default costs it most of its
 * speed. File-to-file runs of 64 KiB, 256 KiB and 1 MiB frames (bench/file.ts) were within the
 * noise of each other on the shared test machine; 256 KiB keeps what a stream decryptor holds per
 * frame small.
 */
export const DEFAULT_FRAME_LENGTH = 256 * 1024

export interface EncryptOptions {
  /** The KMS for `keyIds`. */
  kms?: KmsPort
  /** KMS keys: the first generates the data key, each further one wraps it too (Encrypt). */
  keyIds?: string[]
  /** Raw AES wrapping keys (the SDK's raw AES keyring), usable without any KMS. */
  rawKeys?: RawAesKey[]
  /** Authenticated, not secret; bound to the message and sent to KMS. `aws-crypto-` keys are reserved. */
  encryptionContext?: EncryptionContext
  /** Plaintext bytes per frame; default `DEFAULT_FRAME_LENGTH`, at most `MAX_FRAME_LENGTH`. */
  frameLength?: number
  /** Suite 0x0578 (ECDSA P-384 footer) instead of 0x0478. */
  signed?: boolean
  /** Reuse data keys across messages within the cache's bounds. Streams use it only with `plaintextLength`. */
  cache?: DataKeyCache
  /** The exact plaintext length, when known ahead: lets a stream use the cache; a different length fails. */
  plaintextLength?: number
}

export interface DecryptLimits {
  /** Default 10. */
  maxEncryptedDataKeys?: number
  /** Default 64 KiB. */
  maxHeaderBytes?: number
  /** Default 4 MiB. */
  maxFrameLength?: number
}

export interface DecryptOptions {
  kms?: KmsPort
  rawKeys?: RawAesKey[]
  /** Every pair must be present with this value in the message's context, else `ContextMismatch`. */
  expectedContext?: EncryptionContext
  /** KMS key ARNs (or key ids) that may be used; entries under other keys are skipped. Default: any. */
  allowedKeyIds?: string[]
  limits?: DecryptLimits
  /** Accept non-committing suites and non-framed bodies (older writers). */
  allowLegacy?: boolean
  /** Refuse signed messages right after the header (for consumers that must not see any unsigned-yet data). */
  requireUnsigned?: boolean
}
