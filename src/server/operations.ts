import { GRANT_OPERATIONS, type KmsInput, type KmsOperationName } from '../kms/types/index.js'
import {
  blob,
  boolean,
  enumOf,
  integer,
  list,
  required,
  string,
  stringMap,
  struct,
  timestamp,
  type Infer,
  type Shape,
} from './input-schema.js'

// Member constraints from the AWS KMS API model (2014-11-01).
const keyId = () => string({ min: 1, max: 2048 })
const grantTokens = list(string({ min: 1, max: 8192 }), { max: 10 })
const limit = integer({ min: 1, max: 1000 })
const marker = string({ min: 1, max: 1024, pattern: /^[\u0020-\u00FF]*$/ })
const encryptionContext = stringMap()
const encryptionAlgorithm = enumOf('SYMMETRIC_DEFAULT')
const aliasName = string({ min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ })
const description = string({ min: 0, max: 8192 })
const policy = string({ min: 1, max: 131072 })
const policyName = string({ min: 1, max: 128, pattern: /^[\w]+$/ })
const tagKey = string({ min: 1, max: 128 })
const tags = list(
  struct({ tagKey: required(tagKey), tagValue: required(string({ min: 0, max: 256 })) }),
)
const plaintext = blob({ min: 1, max: 4096 })
const ciphertext = blob({ min: 1, max: 6144 })
const numberOfBytes = integer({ min: 1, max: 1024 })
const dataKeySpec = enumOf('AES_256', 'AES_128')
const keySpec = enumOf('SYMMETRIC_DEFAULT')

const principalId = string({ min: 1, max: 256, pattern: /^[\w+=,.@:/-]+$/ })
const grantId = () => string({ min: 1, max: 128 })
const grantOperation = enumOf(...GRANT_OPERATIONS)
const grantPaging = { limit: integer({ min: 1, max: 100 }), marker }

const keyRef = { keyId: required(keyId()) }
const paging = { limit, marker }

/**
 * The input shape of every operation of the KMS port, in the port's camelCase names. The
 * `satisfies` clause makes the compiler prove each shape produces exactly the port's input type.
 */
export const OPERATION_INPUTS = {
  CreateKey: struct({
    policy,
    description,
    keyUsage: enumOf('ENCRYPT_DECRYPT'),
    keySpec,
    customerMasterKeySpec: keySpec,
    origin: enumOf('AWS_KMS', 'EXTERNAL'),
    tags,
    bypassPolicyLockoutSafetyCheck: boolean(),
    multiRegion: boolean(),
  }),
  DescribeKey: struct({ ...keyRef, grantTokens }),
  ListKeys: struct(paging),
  UpdateKeyDescription: struct({ ...keyRef, description: required(description) }),
  CreateAlias: struct({ aliasName: required(aliasName), targetKeyId: required(keyId()) }),
  UpdateAlias: struct({ aliasName: required(aliasName), targetKeyId: required(keyId()) }),
  DeleteAlias: struct({ aliasName: required(aliasName) }),
  ListAliases: struct({ keyId: keyId(), ...paging }),
  TagResource: struct({ ...keyRef, tags: required(tags) }),
  UntagResource: struct({ ...keyRef, tagKeys: required(list(tagKey)) }),
  ListResourceTags: struct({ ...keyRef, ...paging }),
  EnableKey: struct(keyRef),
  DisableKey: struct(keyRef),
  ScheduleKeyDeletion: struct({ ...keyRef, pendingWindowInDays: integer({ min: 1, max: 365 }) }),
  CancelKeyDeletion: struct(keyRef),
  Encrypt: struct({
    ...keyRef,
    plaintext: required(plaintext),
    encryptionContext,
    grantTokens,
    encryptionAlgorithm,
    dryRun: boolean(),
  }),
  Decrypt: struct({
    ciphertextBlob: required(ciphertext),
    encryptionContext,
    keyId: keyId(),
    grantTokens,
    encryptionAlgorithm,
    dryRun: boolean(),
  }),
  ReEncrypt: struct({
    ciphertextBlob: required(ciphertext),
    sourceEncryptionContext: encryptionContext,
    sourceKeyId: keyId(),
    destinationKeyId: required(keyId()),
    destinationEncryptionContext: encryptionContext,
    sourceEncryptionAlgorithm: encryptionAlgorithm,
    destinationEncryptionAlgorithm: encryptionAlgorithm,
    grantTokens,
    dryRun: boolean(),
  }),
  GenerateDataKey: struct({
    ...keyRef,
    encryptionContext,
    numberOfBytes,
    keySpec: dataKeySpec,
    grantTokens,
    dryRun: boolean(),
  }),
  GenerateDataKeyWithoutPlaintext: struct({
    ...keyRef,
    encryptionContext,
    numberOfBytes,
    keySpec: dataKeySpec,
    grantTokens,
    dryRun: boolean(),
  }),
  GenerateRandom: struct({ numberOfBytes }),
  EnableKeyRotation: struct({ ...keyRef, rotationPeriodInDays: integer({ min: 90, max: 2560 }) }),
  DisableKeyRotation: struct(keyRef),
  GetKeyRotationStatus: struct(keyRef),
  RotateKeyOnDemand: struct(keyRef),
  ListKeyRotations: struct({ ...keyRef, ...paging }),
  GetParametersForImport: struct({
    ...keyRef,
    wrappingAlgorithm: required(
      enumOf(
        'RSAES_PKCS1_V1_5',
        'RSAES_OAEP_SHA_1',
        'RSAES_OAEP_SHA_256',
        'RSA_AES_KEY_WRAP_SHA_1',
        'RSA_AES_KEY_WRAP_SHA_256',
      ),
    ),
    wrappingKeySpec: required(enumOf('RSA_2048', 'RSA_3072', 'RSA_4096')),
  }),
  ImportKeyMaterial: struct({
    ...keyRef,
    importToken: required(blob({ min: 1, max: 6144 })),
    encryptedKeyMaterial: required(blob({ min: 1, max: 6144 })),
    validTo: timestamp(),
    expirationModel: enumOf('KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'),
  }),
  DeleteImportedKeyMaterial: struct(keyRef),
  GetKeyPolicy: struct({ ...keyRef, policyName }),
  PutKeyPolicy: struct({
    ...keyRef,
    policyName,
    policy: required(policy),
    bypassPolicyLockoutSafetyCheck: boolean(),
  }),
  ListKeyPolicies: struct({ ...keyRef, ...paging }),
  CreateGrant: struct({
    ...keyRef,
    granteePrincipal: required(principalId),
    operations: required(list(grantOperation, { min: 1 })),
    retiringPrincipal: principalId,
    constraints: struct({
      encryptionContextSubset: encryptionContext,
      encryptionContextEquals: encryptionContext,
    }),
    grantTokens,
    name: string({ min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ }),
    dryRun: boolean(),
  }),
  ListGrants: struct({
    ...keyRef,
    ...grantPaging,
    grantId: grantId(),
    granteePrincipal: principalId,
  }),
  ListRetirableGrants: struct({ ...grantPaging, retiringPrincipal: required(principalId) }),
  RetireGrant: struct({
    grantToken: string({ min: 1, max: 8192 }),
    keyId: keyId(),
    grantId: grantId(),
    dryRun: boolean(),
  }),
  RevokeGrant: struct({ ...keyRef, grantId: required(grantId()), dryRun: boolean() }),
  GetKeyLastUsage: struct(keyRef),
} satisfies { [Op in KmsOperationName]: Shape<KmsInput<Op>> }

type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false
type Mismatched = {
  [Op in KmsOperationName]: Same<Infer<(typeof OPERATION_INPUTS)[Op]>, KmsInput<Op>> extends true
    ? never
    : Op
}[KmsOperationName]
// Fails to compile, naming the operation, when a shape leaves out a member of the port's input.
const everyShapeIsExact: [Mismatched] extends [never] ? true : Mismatched = true
void everyShapeIsExact
