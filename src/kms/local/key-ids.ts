import { SealboxError } from '../../errors/index.js'

export interface Region {
  region: string
  accountId: string
}

export type KeyRefForm = { kind: 'key'; keyId: string } | { kind: 'alias'; aliasName: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const ARN = /^arn:aws:kms:([^:]*):([^:]*):(key|alias)\/(.+)$/

export function keyArn(r: Region, keyId: string): string {
  return `arn:aws:kms:${r.region}:${r.accountId}:key/${keyId}`
}

export function aliasArn(r: Region, aliasName: string): string {
  return `arn:aws:kms:${r.region}:${r.accountId}:${aliasName}`
}

/**
 * Parses the four forms of key id (key id, key ARN, alias name, alias ARN). `allowAlias: false`
 * refuses the alias forms, as AWS does for management operations.
 */
export function parseKeyRef(r: Region, ref: string, allowAlias: boolean): KeyRefForm {
  const arn = ARN.exec(ref)
  if (arn !== null) {
    const [, region, account, type, rest] = arn
    if (region !== r.region) throw new SealboxError('NotFoundException', `Invalid arn ${region}`)
    if (account !== r.accountId) {
      throw new SealboxError('NotFoundException', `Key '${ref}' does not exist`)
    }
    if (type === 'key') return { kind: 'key', keyId: rest! }
    if (!allowAlias) throw new SealboxError('NotFoundException', `Invalid keyId '${ref}'`)
    return { kind: 'alias', aliasName: `alias/${rest!}` }
  }
  if (ref.startsWith('alias/')) {
    if (!allowAlias) throw new SealboxError('NotFoundException', `Invalid keyId '${ref}'`)
    return { kind: 'alias', aliasName: ref }
  }
  if (ref.startsWith('arn:')) throw new SealboxError('InvalidArnException', `Invalid arn ${ref}`)
  if (!UUID.test(ref)) throw new SealboxError('NotFoundException', `Invalid keyId '${ref}'`)
  return { kind: 'key', keyId: ref }
}

const ALIAS_NAME = /^alias\/[a-zA-Z0-9:/_-]+$/

export function checkAliasName(name: string): void {
  if (name.length < 1 || name.length > 256 || !ALIAS_NAME.test(name)) {
    throw new SealboxError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9:/_-]+$`,
    )
  }
  if (name.startsWith('alias/aws/')) {
    throw new SealboxError(
      'InvalidAliasNameException',
      `alias names beginning with alias/aws/ are reserved for AWS managed keys`,
    )
  }
}
