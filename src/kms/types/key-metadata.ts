export type KeyState =
  | 'Creating'
  | 'Enabled'
  | 'Disabled'
  | 'PendingDeletion'
  | 'PendingImport'
  | 'Unavailable'
  | 'Updating'
export type KeyUsage = 'ENCRYPT_DECRYPT'
export type KeySpec = 'SYMMETRIC_DEFAULT'
export type Origin = 'AWS_KMS' | 'EXTERNAL'
export type EncryptionAlgorithm = 'SYMMETRIC_DEFAULT'
export type ExpirationModel = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE'
export type WrappingAlgorithm =
  | 'RSAES_PKCS1_V1_5'
  | 'RSAES_OAEP_SHA_1'
  | 'RSAES_OAEP_SHA_256'
  | 'RSA_AES_KEY_WRAP_SHA_1'
  | 'RSA_AES_KEY_WRAP_SHA_256'
export type WrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096'

export interface Tag {
  tagKey: string
  tagValue: string
}

/** DescribeKey's KeyMetadata, in camelCase. */
export interface KeyMetadata {
  awsAccountId: string
  keyId: string
  arn: string
  creationDate: Date
  enabled: boolean
  description: string
  keyUsage: KeyUsage
  keyState: KeyState
  deletionDate?: Date
  validTo?: Date
  origin: Origin
  keyManager: 'CUSTOMER' | 'AWS'
  customerMasterKeySpec: KeySpec
  keySpec: KeySpec
  encryptionAlgorithms: EncryptionAlgorithm[]
  multiRegion: boolean
  pendingDeletionWindowInDays?: number
  expirationModel?: ExpirationModel
  currentKeyMaterialId?: string
}

export interface AliasListEntry {
  aliasName: string
  aliasArn: string
  targetKeyId?: string
  creationDate?: Date
  lastUpdatedDate?: Date
}

export interface RotationsListEntry {
  keyId: string
  keyMaterialId: string
  rotationDate: Date
  rotationType: 'AUTOMATIC' | 'ON_DEMAND'
}

/** Paginated list responses share these two fields. */
export interface Page {
  nextMarker?: string
  truncated: boolean
}

/** The operations a grant can allow (AWS's GrantOperation; sealbox keys are symmetric). */
export const GRANT_OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  // accepted in grants on symmetric keys, as AWS does, though the embedded KMS has no key pairs
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
] as const
export type GrantOperation = (typeof GRANT_OPERATIONS)[number]

/** A grant's condition on the encryption context of the cryptographic calls it allows. */
export interface GrantConstraints {
  encryptionContextSubset?: Record<string, string>
  encryptionContextEquals?: Record<string, string>
}

export interface GrantListEntry {
  keyId: string
  grantId: string
  name?: string
  creationDate: Date
  granteePrincipal: string
  retiringPrincipal?: string
  issuingAccount: string
  operations: GrantOperation[]
  constraints?: GrantConstraints
}

/** The last successful cryptographic use of a key (GetKeyLastUsage). */
export interface KeyLastUsage {
  operation?: string
  timestamp?: Date
  cloudTrailEventId?: string
  kmsRequestId?: string
}
