import { SealboxError } from '../../../errors/index.js'
import { validatePolicy } from './validate-policy.js'

const ACCOUNT_ID = /^\d{12}$/

function checkAccount(accountId: string): void {
  if (!ACCOUNT_ID.test(accountId)) {
    throw new SealboxError('ValidationException', `account id '${accountId}' is not 12 digits`)
  }
}

/** AWS's default key policy: the account (in sealbox, every principal of it) may do anything. */
export function defaultKeyPolicy(accountId: string): string {
  checkAccount(accountId)
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  )
}

/** What the AWS console grants key administrators: manage the key, never use it. */
export const KEY_ADMINISTRATOR_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
] as const

/** What the AWS console grants key users: the cryptographic operations and DescribeKey. */
export const KEY_USER_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
] as const

/**
 * The console-style key policy that separates key administrators from key users. Unlike the
 * AWS console's it has no account-root statement: in sealbox that statement would let every
 * principal of the account do everything, and the separation would mean nothing.
 */
export function keyPolicyFor(opts: {
  accountId: string
  admins: string[]
  users: string[]
}): string {
  checkAccount(opts.accountId)
  if (opts.admins.length === 0 && opts.users.length === 0) {
    throw new SealboxError(
      'ValidationException',
      'a key policy needs at least one administrator or user',
    )
  }
  const principal = (names: string[]): { AWS: string | string[] } => ({
    AWS: names.length === 1 ? names[0]! : [...names],
  })
  const statements: object[] = []
  if (opts.admins.length > 0) {
    statements.push({
      Sid: 'Allow access for Key Administrators',
      Effect: 'Allow',
      Principal: principal(opts.admins),
      Action: [...KEY_ADMINISTRATOR_ACTIONS],
      Resource: '*',
    })
  }
  if (opts.users.length > 0) {
    statements.push({
      Sid: 'Allow use of the key',
      Effect: 'Allow',
      Principal: principal(opts.users),
      Action: [...KEY_USER_ACTIONS],
      Resource: '*',
    })
  }
  const policy = JSON.stringify(
    { Version: '2012-10-17', Id: 'key-consolepolicy-3', Statement: statements },
    null,
    2,
  )
  validatePolicy(policy)
  return policy
}
