import type { EncryptionContext } from '../../encoding/index.js'
import type {
  AliasListEntry,
  EncryptionAlgorithm,
  ExpirationModel,
  GrantConstraints,
  GrantListEntry,
  GrantOperation,
  KeyLastUsage,
  KeyMetadata,
  KeySpec,
  KeyState,
  KeyUsage,
  Origin,
  Page,
  RotationsListEntry,
  Tag,
  WrappingAlgorithm,
  WrappingKeySpec,
} from './key-metadata.js'

type Empty = Record<string, never>
interface KeyRef {
  keyId: string
}
interface Paging {
  limit?: number
  marker?: string
}

/**
 * Every operation of the KMS port: `[input, output]`, in AWS KMS's operation names and
 * camelCase member names. The embedded KMS, the AWS backend, the HTTP server and the CLI are
 * all written against this one table.
 */
export interface KmsOperations {
  CreateKey: [
    {
      policy?: string
      description?: string
      keyUsage?: KeyUsage
      keySpec?: KeySpec
      customerMasterKeySpec?: KeySpec
      origin?: Origin
      tags?: Tag[]
      bypassPolicyLockoutSafetyCheck?: boolean
      multiRegion?: boolean
    },
    { keyMetadata: KeyMetadata },
  ]
  DescribeKey: [KeyRef & { grantTokens?: string[] }, { keyMetadata: KeyMetadata }]
  ListKeys: [Paging, Page & { keys: Array<{ keyId: string; keyArn: string }> }]
  UpdateKeyDescription: [KeyRef & { description: string }, Empty]
  CreateAlias: [{ aliasName: string; targetKeyId: string }, Empty]
  UpdateAlias: [{ aliasName: string; targetKeyId: string }, Empty]
  DeleteAlias: [{ aliasName: string }, Empty]
  ListAliases: [Paging & { keyId?: string }, Page & { aliases: AliasListEntry[] }]
  TagResource: [KeyRef & { tags: Tag[] }, Empty]
  UntagResource: [KeyRef & { tagKeys: string[] }, Empty]
  ListResourceTags: [KeyRef & Paging, Page & { tags: Tag[] }]
  EnableKey: [KeyRef, Empty]
  DisableKey: [KeyRef, Empty]
  ScheduleKeyDeletion: [
    KeyRef & { pendingWindowInDays?: number },
    { keyId: string; deletionDate: Date; keyState: KeyState; pendingWindowInDays: number },
  ]
  CancelKeyDeletion: [KeyRef, { keyId: string }]
  Encrypt: [
    KeyRef & {
      plaintext: Uint8Array
      encryptionContext?: EncryptionContext
      grantTokens?: string[]
      encryptionAlgorithm?: EncryptionAlgorithm
      dryRun?: boolean
    },
    { ciphertextBlob: Uint8Array; keyId: string; encryptionAlgorithm: EncryptionAlgorithm },
  ]
  Decrypt: [
    {
      ciphertextBlob: Uint8Array
      encryptionContext?: EncryptionContext
      keyId?: string
      grantTokens?: string[]
      encryptionAlgorithm?: EncryptionAlgorithm
      dryRun?: boolean
    },
    {
      keyId: string
      plaintext: Uint8Array
      encryptionAlgorithm: EncryptionAlgorithm
      keyMaterialId: string
    },
  ]
  ReEncrypt: [
    {
      ciphertextBlob: Uint8Array
      sourceEncryptionContext?: EncryptionContext
      sourceKeyId?: string
      destinationKeyId: string
      destinationEncryptionContext?: EncryptionContext
      sourceEncryptionAlgorithm?: EncryptionAlgorithm
      destinationEncryptionAlgorithm?: EncryptionAlgorithm
      grantTokens?: string[]
      dryRun?: boolean
    },
    {
      ciphertextBlob: Uint8Array
      sourceKeyId: string
      keyId: string
      sourceEncryptionAlgorithm: EncryptionAlgorithm
      destinationEncryptionAlgorithm: EncryptionAlgorithm
      sourceKeyMaterialId: string
      destinationKeyMaterialId: string
    },
  ]
  GenerateDataKey: [
    KeyRef & {
      encryptionContext?: EncryptionContext
      numberOfBytes?: number
      keySpec?: 'AES_256' | 'AES_128'
      grantTokens?: string[]
      dryRun?: boolean
    },
    { ciphertextBlob: Uint8Array; plaintext: Uint8Array; keyId: string; keyMaterialId: string },
  ]
  GenerateDataKeyWithoutPlaintext: [
    KeyRef & {
      encryptionContext?: EncryptionContext
      numberOfBytes?: number
      keySpec?: 'AES_256' | 'AES_128'
      grantTokens?: string[]
      dryRun?: boolean
    },
    { ciphertextBlob: Uint8Array; keyId: string; keyMaterialId: string },
  ]
  GenerateRandom: [{ numberOfBytes?: number }, { plaintext: Uint8Array }]
  EnableKeyRotation: [KeyRef & { rotationPeriodInDays?: number }, Empty]
  DisableKeyRotation: [KeyRef, Empty]
  GetKeyRotationStatus: [
    KeyRef,
    {
      keyRotationEnabled: boolean
      keyId: string
      rotationPeriodInDays?: number
      nextRotationDate?: Date
      onDemandRotationStartDate?: Date
    },
  ]
  RotateKeyOnDemand: [KeyRef, { keyId: string }]
  ListKeyRotations: [KeyRef & Paging, Page & { rotations: RotationsListEntry[] }]
  GetParametersForImport: [
    KeyRef & { wrappingAlgorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec },
    { keyId: string; importToken: Uint8Array; publicKey: Uint8Array; parametersValidTo: Date },
  ]
  ImportKeyMaterial: [
    KeyRef & {
      importToken: Uint8Array
      encryptedKeyMaterial: Uint8Array
      validTo?: Date
      expirationModel?: ExpirationModel
    },
    { keyId: string; keyMaterialId: string },
  ]
  DeleteImportedKeyMaterial: [KeyRef, { keyId: string; keyMaterialId?: string }]
  GetKeyPolicy: [KeyRef & { policyName?: string }, { policy: string; policyName: string }]
  PutKeyPolicy: [
    KeyRef & { policyName?: string; policy: string; bypassPolicyLockoutSafetyCheck?: boolean },
    Empty,
  ]
  ListKeyPolicies: [KeyRef & Paging, Page & { policyNames: string[] }]
  CreateGrant: [
    KeyRef & {
      granteePrincipal: string
      operations: GrantOperation[]
      retiringPrincipal?: string
      constraints?: GrantConstraints
      grantTokens?: string[]
      name?: string
      dryRun?: boolean
    },
    { grantToken: string; grantId: string },
  ]
  ListGrants: [
    KeyRef & Paging & { grantId?: string; granteePrincipal?: string },
    Page & { grants: GrantListEntry[] },
  ]
  ListRetirableGrants: [Paging & { retiringPrincipal: string }, Page & { grants: GrantListEntry[] }]
  RetireGrant: [{ grantToken?: string; keyId?: string; grantId?: string; dryRun?: boolean }, Empty]
  RevokeGrant: [KeyRef & { grantId: string; dryRun?: boolean }, Empty]
  GetKeyLastUsage: [
    KeyRef,
    {
      keyId: string
      keyLastUsage: KeyLastUsage
      trackingStartDate: Date
      keyCreationDate: Date
    },
  ]
}

export type KmsOperationName = keyof KmsOperations
export type KmsInput<Op extends KmsOperationName> = KmsOperations[Op][0]
export type KmsOutput<Op extends KmsOperationName> = KmsOperations[Op][1]

/** The port: one async method per operation, named like the operation (`generateDataKey`). */
export type KmsPort = {
  [Op in KmsOperationName as Uncapitalize<Op>]: (input: KmsInput<Op>) => Promise<KmsOutput<Op>>
}

export const KMS_OPERATION_NAMES = [
  'CreateKey',
  'DescribeKey',
  'ListKeys',
  'UpdateKeyDescription',
  'CreateAlias',
  'UpdateAlias',
  'DeleteAlias',
  'ListAliases',
  'TagResource',
  'UntagResource',
  'ListResourceTags',
  'EnableKey',
  'DisableKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateRandom',
  'EnableKeyRotation',
  'DisableKeyRotation',
  'GetKeyRotationStatus',
  'RotateKeyOnDemand',
  'ListKeyRotations',
  'GetParametersForImport',
  'ImportKeyMaterial',
  'DeleteImportedKeyMaterial',
  'GetKeyPolicy',
  'PutKeyPolicy',
  'ListKeyPolicies',
  'CreateGrant',
  'ListGrants',
  'ListRetirableGrants',
  'RetireGrant',
  'RevokeGrant',
  'GetKeyLastUsage',
] as const satisfies readonly KmsOperationName[]

/** The cryptographic operations on a key: what key states, usage tracking and quotas single out. */
export const CRYPTOGRAPHIC_OPERATIONS = [
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
] as const satisfies readonly KmsOperationName[]

/** `GenerateDataKey` → `generateDataKey`. */
export function methodName<Op extends KmsOperationName>(op: Op): Uncapitalize<Op> {
  return (op[0]!.toLowerCase() + op.slice(1)) as Uncapitalize<Op>
}

/** Calls an operation by name: for routers and CLIs that dispatch on the operation. */
export function callKms<Op extends KmsOperationName>(
  kms: KmsPort,
  op: Op,
  input: KmsInput<Op>,
): Promise<KmsOutput<Op>> {
  const fn = kms[methodName(op)] as (input: KmsInput<Op>) => Promise<KmsOutput<Op>>
  return fn.call(kms, input)
}
