import type { KmsInput, KmsOperationName } from '../../kms/types/index.js'

/**
 * How the AWS CLI takes a request member: `blob` is base64 inline or raw bytes from `fileb://`,
 * `map` a JSON object or `k=v,k2=v2`, `list` several values or a JSON array, `tags` JSON or
 * `TagKey=a,TagValue=b` shorthand, `timestamp` ISO 8601 or epoch seconds, `struct` a JSON
 * object in AWS's member names. A trailing `!` marks a required member.
 */
export type ParamType =
  'string' | 'integer' | 'boolean' | 'blob' | 'map' | 'list' | 'tags' | 'timestamp' | 'struct'
export type ParamSpec = ParamType | `${ParamType}!`

export interface OperationSpec<Op extends KmsOperationName> {
  summary: string
  /** Every request member of the port, so the compiler keeps this table complete. */
  params: { [M in keyof KmsInput<Op>]-?: ParamSpec }
  /** The list member a paginated response accumulates (camelCase). */
  pages?: string
  /** Without `--key-id`, sealbox uses KMS_KEY_ID / CMK_KEY_ID or the embedded default key. */
  defaultKey?: true
}

const KEY = 'string!' as const
const PAGING = { limit: 'integer', marker: 'string' } as const
const CONTEXT = 'map' as const

/** Every `sealbox kms <op>`: the KMS port's operations with the AWS CLI's flags. */
export const OPERATIONS: { [Op in KmsOperationName]: OperationSpec<Op> } = {
  CreateKey: {
    summary: 'create a KMS key (symmetric, AWS_KMS or EXTERNAL origin)',
    params: {
      policy: 'string',
      description: 'string',
      keyUsage: 'string',
      keySpec: 'string',
      customerMasterKeySpec: 'string',
      origin: 'string',
      tags: 'tags',
      bypassPolicyLockoutSafetyCheck: 'boolean',
      multiRegion: 'boolean',
    },
  },
  DescribeKey: {
    summary: "show a key's metadata",
    params: { keyId: KEY, grantTokens: 'list' },
  },
  ListKeys: { summary: 'list the keys of the account', params: PAGING, pages: 'keys' },
  UpdateKeyDescription: {
    summary: "replace a key's description",
    params: { keyId: KEY, description: 'string!' },
  },
  CreateAlias: {
    summary: 'give a key an alias (alias/NAME)',
    params: { aliasName: 'string!', targetKeyId: 'string!' },
  },
  UpdateAlias: {
    summary: 'point an alias at another key',
    params: { aliasName: 'string!', targetKeyId: 'string!' },
  },
  DeleteAlias: { summary: 'delete an alias', params: { aliasName: 'string!' } },
  ListAliases: {
    summary: 'list aliases, of one key or of all',
    params: { keyId: 'string', ...PAGING },
    pages: 'aliases',
  },
  TagResource: { summary: 'add or replace tags on a key', params: { keyId: KEY, tags: 'tags!' } },
  UntagResource: { summary: 'remove tags from a key', params: { keyId: KEY, tagKeys: 'list!' } },
  ListResourceTags: {
    summary: "list a key's tags",
    params: { keyId: KEY, ...PAGING },
    pages: 'tags',
  },
  EnableKey: { summary: 'enable a key', params: { keyId: KEY } },
  DisableKey: { summary: 'disable a key', params: { keyId: KEY } },
  ScheduleKeyDeletion: {
    summary: 'delete a key after a waiting period of 7 to 30 days',
    params: { keyId: KEY, pendingWindowInDays: 'integer' },
  },
  CancelKeyDeletion: {
    summary: 'cancel a scheduled deletion (the key is left disabled)',
    params: { keyId: KEY },
  },
  Encrypt: {
    summary: 'encrypt up to 4096 bytes under a key',
    defaultKey: true,
    params: {
      keyId: KEY,
      plaintext: 'blob!',
      encryptionContext: CONTEXT,
      grantTokens: 'list',
      encryptionAlgorithm: 'string',
      dryRun: 'boolean',
    },
  },
  Decrypt: {
    summary: 'decrypt a ciphertext blob (the blob names its key)',
    params: {
      ciphertextBlob: 'blob!',
      encryptionContext: CONTEXT,
      keyId: 'string',
      grantTokens: 'list',
      encryptionAlgorithm: 'string',
      dryRun: 'boolean',
    },
  },
  ReEncrypt: {
    summary: 'decrypt a blob and encrypt it again under another key or context',
    params: {
      ciphertextBlob: 'blob!',
      sourceEncryptionContext: CONTEXT,
      sourceKeyId: 'string',
      destinationKeyId: 'string!',
      destinationEncryptionContext: CONTEXT,
      sourceEncryptionAlgorithm: 'string',
      destinationEncryptionAlgorithm: 'string',
      grantTokens: 'list',
      dryRun: 'boolean',
    },
  },
  GenerateDataKey: {
    summary: 'make a data key: plaintext and encrypted under a key',
    defaultKey: true,
    params: {
      keyId: KEY,
      encryptionContext: CONTEXT,
      numberOfBytes: 'integer',
      keySpec: 'string',
      grantTokens: 'list',
      dryRun: 'boolean',
    },
  },
  GenerateDataKeyWithoutPlaintext: {
    summary: 'make a data key, returned only encrypted',
    defaultKey: true,
    params: {
      keyId: KEY,
      encryptionContext: CONTEXT,
      numberOfBytes: 'integer',
      keySpec: 'string',
      grantTokens: 'list',
      dryRun: 'boolean',
    },
  },
  GenerateRandom: { summary: 'random bytes (1 to 1024)', params: { numberOfBytes: 'integer' } },
  EnableKeyRotation: {
    summary: 'rotate the key automatically every 90 to 2560 days (default 365)',
    params: { keyId: KEY, rotationPeriodInDays: 'integer' },
  },
  DisableKeyRotation: { summary: 'stop automatic rotation', params: { keyId: KEY } },
  GetKeyRotationStatus: {
    summary: 'show whether and when a key rotates',
    params: { keyId: KEY },
  },
  RotateKeyOnDemand: { summary: 'rotate a key now', params: { keyId: KEY } },
  ListKeyRotations: {
    summary: "list a key's rotations",
    params: { keyId: KEY, ...PAGING },
    pages: 'rotations',
  },
  GetParametersForImport: {
    summary: 'get a wrapping public key and an import token for EXTERNAL key material',
    params: { keyId: KEY, wrappingAlgorithm: 'string!', wrappingKeySpec: 'string!' },
  },
  ImportKeyMaterial: {
    summary: 'import wrapped key material into an EXTERNAL key',
    params: {
      keyId: KEY,
      importToken: 'blob!',
      encryptedKeyMaterial: 'blob!',
      validTo: 'timestamp',
      expirationModel: 'string',
    },
  },
  DeleteImportedKeyMaterial: {
    summary: "delete an EXTERNAL key's material (the key becomes PendingImport)",
    params: { keyId: KEY },
  },
  GetKeyPolicy: {
    summary: "show a key's policy",
    params: { keyId: KEY, policyName: 'string' },
  },
  PutKeyPolicy: {
    summary: "replace a key's policy",
    params: {
      keyId: KEY,
      policyName: 'string',
      policy: 'string!',
      bypassPolicyLockoutSafetyCheck: 'boolean',
    },
  },
  ListKeyPolicies: {
    summary: "list a key's policy names",
    params: { keyId: KEY, ...PAGING },
    pages: 'policyNames',
  },
  CreateGrant: {
    summary: 'let a principal use a key for some operations, optionally bound to a context',
    params: {
      keyId: KEY,
      granteePrincipal: 'string!',
      operations: 'list!',
      retiringPrincipal: 'string',
      constraints: 'struct',
      grantTokens: 'list',
      name: 'string',
      dryRun: 'boolean',
    },
  },
  ListGrants: {
    summary: "list a key's grants",
    params: { keyId: KEY, grantId: 'string', granteePrincipal: 'string', ...PAGING },
    pages: 'grants',
  },
  ListRetirableGrants: {
    summary: 'list the grants a principal may retire',
    params: { retiringPrincipal: 'string!', ...PAGING },
    pages: 'grants',
  },
  RetireGrant: {
    summary: 'retire a grant (as its retiring or grantee principal), by token or by key and id',
    params: { grantToken: 'string', keyId: 'string', grantId: 'string', dryRun: 'boolean' },
  },
  RevokeGrant: {
    summary: 'revoke a grant of a key',
    params: { keyId: KEY, grantId: 'string!', dryRun: 'boolean' },
  },
  GetKeyLastUsage: {
    summary: "a key's last successful cryptographic use, from the audit log",
    params: { keyId: KEY },
  },
}

/** `GenerateDataKey` → `generate-data-key`: the AWS CLI's subcommand and flag spelling. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? '' : '-') + c.toLowerCase())
}
