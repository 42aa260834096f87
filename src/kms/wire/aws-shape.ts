import { fromBase64, toBase64 } from '../../encoding/index.js'
import { SealboxError } from '../../errors/index.js'

// Members the AWS KMS JSON protocol carries as base64 strings and as epoch seconds.
const BLOBS = new Set([
  'plaintext',
  'ciphertextBlob',
  'importToken',
  'publicKey',
  'encryptedKeyMaterial',
])
const DATES = new Set([
  'creationDate',
  'deletionDate',
  'validTo',
  'parametersValidTo',
  'nextRotationDate',
  'onDemandRotationStartDate',
  'rotationDate',
  'lastUpdatedDate',
  'timestamp',
  'trackingStartDate',
  'keyCreationDate',
])
// User data whose keys are never renamed.
const OPAQUE_MAPS = new Set([
  'encryptionContext',
  'sourceEncryptionContext',
  'destinationEncryptionContext',
  'encryptionContextSubset',
  'encryptionContextEquals',
])
const SPECIAL_TO_WIRE: Record<string, string> = { awsAccountId: 'AWSAccountId' }
const SPECIAL_FROM_WIRE: Record<string, string> = { AWSAccountId: 'awsAccountId' }

function wireName(name: string): string {
  return SPECIAL_TO_WIRE[name] ?? name[0]!.toUpperCase() + name.slice(1)
}

function domainName(name: string): string {
  return SPECIAL_FROM_WIRE[name] ?? name[0]!.toLowerCase() + name.slice(1)
}

/** A port value (camelCase, bytes, Dates) as the AWS JSON protocol writes it. */
export function toWire(value: unknown, field = ''): unknown {
  if (value === undefined || value === null) return value
  if (value instanceof Uint8Array) return toBase64(value)
  if (value instanceof Date) return value.getTime() / 1000
  if (Array.isArray(value)) return value.map((v) => toWire(v, field))
  if (typeof value === 'object') {
    if (OPAQUE_MAPS.has(field)) return { ...value }
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[wireName(k)] = toWire(v, k)
    }
    return out
  }
  return value
}

/**
 * An AWS JSON protocol value as the port takes it. Throws `SerializationException` for a blob
 * that is not base64 or a timestamp that is not a number, as AWS does.
 */
export function fromWire(value: unknown, field = ''): unknown {
  if (value === null || value === undefined) return undefined
  if (BLOBS.has(field)) {
    if (typeof value !== 'string') {
      throw new SealboxError('SerializationException', `${wireName(field)} must be a base64 string`)
    }
    return fromBase64(value, wireName(field))
  }
  if (DATES.has(field)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new SealboxError(
        'SerializationException',
        `${wireName(field)} must be a number of epoch seconds`,
      )
    }
    return new Date(value * 1000)
  }
  if (Array.isArray(value)) return value.map((v) => fromWire(v, field))
  if (typeof value === 'object') {
    if (OPAQUE_MAPS.has(field)) return { ...value }
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const name = domainName(k)
      const converted = fromWire(v, name)
      if (converted !== undefined) out[name] = converted
    }
    return out
  }
  return value
}
