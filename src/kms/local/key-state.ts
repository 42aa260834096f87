import { SealboxError } from '../../errors/index.js'
import { CRYPTOGRAPHIC_OPERATIONS, type KmsOperationName } from '../types/index.js'
import type { KeyRow } from './key-repository.js'

const CRYPTO = new Set<KmsOperationName>(CRYPTOGRAPHIC_OPERATIONS)
const READ = new Set<KmsOperationName>([
  'DescribeKey',
  'GetKeyPolicy',
  'ListKeyPolicies',
  'ListResourceTags',
  'GetKeyRotationStatus',
  'ListKeyRotations',
  'ListAliases',
  'DeleteAlias',
  'ListGrants',
  'RetireGrant',
  'RevokeGrant',
  'GetKeyLastUsage',
])
const ROTATION = new Set<KmsOperationName>([
  'EnableKeyRotation',
  'DisableKeyRotation',
  'RotateKeyOnDemand',
])
const IMPORT = new Set<KmsOperationName>([
  'GetParametersForImport',
  'ImportKeyMaterial',
  'DeleteImportedKeyMaterial',
])

/**
 * The one place where a key's state decides whether an operation may proceed, with AWS's
 * exceptions and wording.
 */
export function checkKeyState(op: KmsOperationName, key: KeyRow, arn: string): void {
  const state = key.state
  if (READ.has(op)) return
  if (op === 'CancelKeyDeletion') {
    if (state !== 'PendingDeletion') throw invalidState(`${arn} is not pending deletion.`)
    return
  }
  if (state === 'PendingDeletion') throw invalidState(`${arn} is pending deletion.`)
  if (IMPORT.has(op)) {
    if (key.origin !== 'EXTERNAL') {
      throw new SealboxError(
        'UnsupportedOperationException',
        `${arn} origin is ${key.origin} which is not valid for this operation.`,
      )
    }
    return
  }
  if (ROTATION.has(op)) {
    if (key.origin !== 'AWS_KMS') {
      throw new SealboxError(
        'UnsupportedOperationException',
        `${arn} origin is ${key.origin} which is not valid for this operation.`,
      )
    }
    if (state === 'Disabled') throw new SealboxError('DisabledException', `${arn} is disabled.`)
    return
  }
  if (CRYPTO.has(op)) {
    if (state === 'Disabled') throw new SealboxError('DisabledException', `${arn} is disabled.`)
    if (state === 'PendingImport') throw invalidState(`${arn} is pending import.`)
    if (state !== 'Enabled') throw invalidState(`${arn} is ${state}.`)
    return
  }
  if (op === 'EnableKey' && state === 'PendingImport')
    throw invalidState(`${arn} is pending import.`)
}

function invalidState(message: string): SealboxError {
  return new SealboxError('KMSInvalidStateException', message)
}
