import type { EcdsaCurve, HashName } from '../crypto/index.js'

/**
 * One algorithm suite of the message format (framework/algorithm-suites.md). Every suite uses
 * AES-GCM with a 12-byte IV and a 16-byte tag; they differ in key length, key derivation,
 * commitment and signature.
 */
export interface AlgorithmSuite {
  readonly id: number
  readonly name: string
  /** Message format version the suite is written with: 2 for committing suites, else 1. */
  readonly messageVersion: 1 | 2
  /** Data key and derived key length in bytes. */
  readonly keyBytes: 16 | 24 | 32
  /** `identity` uses the data key directly (legacy NO_KDF suites). */
  readonly kdf: { readonly kind: 'identity' } | { readonly kind: 'hkdf'; readonly hash: HashName }
  /** Committing suites carry a 32-byte commit key as the header's suite data. */
  readonly commitment: boolean
  readonly suiteDataBytes: number
  readonly signature: EcdsaCurve | undefined
}

export const IV_BYTES = 12
export const TAG_BYTES = 16

/** The default: AES-256-GCM, HKDF-SHA512, key commitment, no signature. */
export const SUITE_COMMIT = 0x0478
/** The signed variant: as 0x0478 plus an ECDSA P-384 footer signature. */
export const SUITE_COMMIT_SIGNED = 0x0578

const suites: AlgorithmSuite[] = [
  committing(SUITE_COMMIT_SIGNED, 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384', 'P-384'),
  committing(SUITE_COMMIT, 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY', undefined),
  legacy(0x0378, 'AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384', 32, 'sha384', 'P-384'),
  legacy(0x0346, 'AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384', 24, 'sha384', 'P-384'),
  legacy(0x0214, 'AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256', 16, 'sha256', 'P-256'),
  legacy(0x0178, 'AES_256_GCM_IV12_TAG16_HKDF_SHA256', 32, 'sha256', undefined),
  legacy(0x0146, 'AES_192_GCM_IV12_TAG16_HKDF_SHA256', 24, 'sha256', undefined),
  legacy(0x0114, 'AES_128_GCM_IV12_TAG16_HKDF_SHA256', 16, 'sha256', undefined),
  legacy(0x0078, 'AES_256_GCM_IV12_TAG16_NO_KDF', 32, undefined, undefined),
  legacy(0x0046, 'AES_192_GCM_IV12_TAG16_NO_KDF', 24, undefined, undefined),
  legacy(0x0014, 'AES_128_GCM_IV12_TAG16_NO_KDF', 16, undefined, undefined),
]

const BY_ID = new Map(suites.map((s) => [s.id, s]))

/** The suite with this id, or undefined when the id is not an ESDK message suite. */
export function algorithmSuite(id: number): AlgorithmSuite | undefined {
  return BY_ID.get(id)
}

export function suiteHex(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`
}

function committing(id: number, name: string, signature: EcdsaCurve | undefined): AlgorithmSuite {
  return {
    id,
    name,
    messageVersion: 2,
    keyBytes: 32,
    kdf: { kind: 'hkdf', hash: 'sha512' },
    commitment: true,
    suiteDataBytes: 32,
    signature,
  }
}

function legacy(
  id: number,
  name: string,
  keyBytes: 16 | 24 | 32,
  hash: HashName | undefined,
  signature: EcdsaCurve | undefined,
): AlgorithmSuite {
  return {
    id,
    name,
    messageVersion: 1,
    keyBytes,
    kdf: hash === undefined ? { kind: 'identity' } : { kind: 'hkdf', hash },
    commitment: false,
    suiteDataBytes: 0,
    signature,
  }
}
