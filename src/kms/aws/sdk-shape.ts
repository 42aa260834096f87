// The SDK's shapes are AWS's member names with bytes as Uint8Array and times as Date, so only
// the names change between the port and the SDK.
const OPAQUE_MAPS = new Set([
  'encryptionContext',
  'sourceEncryptionContext',
  'destinationEncryptionContext',
  'encryptionContextSubset',
  'encryptionContextEquals',
])
const OPAQUE_WIRE_MAPS = new Set([
  'EncryptionContext',
  'SourceEncryptionContext',
  'DestinationEncryptionContext',
  'EncryptionContextSubset',
  'EncryptionContextEquals',
])

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  )
}

/** A port input (camelCase) as the SDK's command input (PascalCase). */
export function toSdk(value: unknown, field = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => toSdk(v, field))
  if (!isPlainObject(value)) return value
  if (OPAQUE_MAPS.has(field)) return { ...value }
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined)
      out[k === 'awsAccountId' ? 'AWSAccountId' : k[0]!.toUpperCase() + k.slice(1)] = toSdk(v, k)
  }
  return out
}

/** An SDK output (PascalCase, with `$metadata`) as the port's output (camelCase). */
export function fromSdk(value: unknown, field = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => fromSdk(v, field))
  if (!isPlainObject(value)) return value
  if (OPAQUE_WIRE_MAPS.has(field)) return { ...value }
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || k === '$metadata') continue
    out[k === 'AWSAccountId' ? 'awsAccountId' : k[0]!.toLowerCase() + k.slice(1)] = fromSdk(v, k)
  }
  return out
}
