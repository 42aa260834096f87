/** A KMS key ARN: `arn:<partition>:kms:<region>:<account>:key/<id>` (framework/aws-kms/aws-kms-key-arn.md). */
export interface KmsKeyArn {
  partition: string
  region: string
  account: string
  resourceType: 'key' | 'alias'
  resourceId: string
}

export function parseKmsArn(text: string): KmsKeyArn | undefined {
  const parts = text.split(':')
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'kms') return undefined
  const [, partition, , region, account] = parts
  const resource = parts.slice(5).join(':')
  const slash = resource.indexOf('/')
  if (!partition || !region || !account || slash <= 0) return undefined
  const resourceType = resource.slice(0, slash)
  const resourceId = resource.slice(slash + 1)
  if ((resourceType !== 'key' && resourceType !== 'alias') || resourceId.length === 0)
    return undefined
  return { partition, region, account, resourceType, resourceId }
}

/**
 * Whether the key ARN stored in a message is one of the caller's allowed keys. An allowed entry
 * is a key ARN (exact match) or a bare key id (matches the ARN's key id); aliases cannot be
 * matched without a KMS lookup and so never match.
 */
export function arnAllowed(arn: string, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true
  const parsed = parseKmsArn(arn)
  if (parsed === undefined || parsed.resourceType !== 'key') return false
  return allowed.some(
    (id) => id === arn || (!id.includes(':') && !id.includes('/') && id === parsed.resourceId),
  )
}
