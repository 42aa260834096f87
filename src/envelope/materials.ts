import { fromUtf8 } from '../bytes/index.js'
import { EcdsaSigningKey, randomBytes } from '../crypto/index.js'
import { serializeEncryptionContext, toBase64, type EncryptionContext } from '../encoding/index.js'
import { isSealboxError, SealboxError } from '../errors/index.js'
import {
  DEFAULT_LIMITS,
  PUBLIC_KEY_CONTEXT_KEY,
  type AlgorithmSuite,
  type DecodeLimits,
  type EncryptedDataKey,
  type MessageHeader,
} from '../format/index.js'
import type { EncryptionMaterials } from './data-key-cache.js'
import { arnAllowed, parseKmsArn } from './kms-arn.js'
import { KMS_PROVIDER_ID, kmsGenerateDataKey, kmsUnwrap } from './kms-keyring.js'
import type { DecryptOptions, EncryptOptions } from './options.js'
import { parseRawAesInfo } from './raw-aes-key.js'

const RESERVED_PREFIX = 'aws-crypto-'

/**
 * The data key, its wrapped copies and (for signed suites) the signing key for one message, from
 * the cache when allowed. The caller owns `dataKey` and zeroes it.
 */
export async function encryptionMaterials(
  options: EncryptOptions,
  suite: AlgorithmSuite,
  plaintextLength: number | undefined,
): Promise<EncryptionMaterials> {
  const context = options.encryptionContext ?? {}
  for (const key of Object.keys(context)) {
    if (key.startsWith(RESERVED_PREFIX)) {
      throw new SealboxError(
        'ValidationException',
        `encryption context keys starting with '${RESERVED_PREFIX}' are reserved ('${key}')`,
      )
    }
  }
  const keyIds = options.keyIds ?? []
  const rawKeys = options.rawKeys ?? []
  if (keyIds.length > 0 && options.kms === undefined) {
    throw new SealboxError('UsageError', 'KMS key ids were given without a KMS')
  }
  if (keyIds.length === 0 && rawKeys.length === 0) {
    throw new SealboxError('UsageError', 'no key to encrypt with: give KMS key ids or raw keys')
  }
  const cache = plaintextLength === undefined ? undefined : options.cache
  const cacheKey = cache === undefined ? '' : materialsCacheKey(suite, context, keyIds, options)
  const cached = cache?.take(cacheKey, plaintextLength!)
  if (cached !== undefined) return cached

  let signingKey: EcdsaSigningKey | undefined
  let fullContext: EncryptionContext = context
  if (suite.signature !== undefined) {
    signingKey = EcdsaSigningKey.generate(suite.signature)
    fullContext = { ...context, [PUBLIC_KEY_CONTEXT_KEY]: toBase64(signingKey.publicKey) }
  }
  let dataKey: Uint8Array
  const encryptedDataKeys: EncryptedDataKey[] = []
  if (keyIds.length > 0) {
    const generated = await kmsGenerateDataKey(
      { kms: options.kms!, keyIds },
      fullContext,
      suite.keyBytes,
    )
    dataKey = generated.dataKey
    encryptedDataKeys.push(...generated.encryptedDataKeys)
  } else {
    dataKey = randomBytes(suite.keyBytes)
  }
  const contextBytes = serializeEncryptionContext(fullContext)
  for (const raw of rawKeys) encryptedDataKeys.push(raw.wrap(dataKey, contextBytes))
  const materials: EncryptionMaterials = {
    dataKey,
    encryptedDataKeys,
    encryptionContext: fullContext,
    signingKey,
  }
  cache?.put(cacheKey, materials, plaintextLength!)
  return materials
}

/** Everything that selects the data key: a change in any part misses the cache. */
function materialsCacheKey(
  suite: AlgorithmSuite,
  context: EncryptionContext,
  keyIds: string[],
  options: EncryptOptions,
): string {
  return JSON.stringify([
    suite.id,
    toBase64(serializeEncryptionContext(context)),
    keyIds,
    (options.rawKeys ?? []).map((k) => [k.keyNamespace, k.keyName, k.fingerprint]),
  ])
}

/** The decode limits for options (defaults for anything left out). */
export function decodeLimits(options: DecryptOptions): DecodeLimits {
  return {
    maxEncryptedDataKeys:
      options.limits?.maxEncryptedDataKeys ?? DEFAULT_LIMITS.maxEncryptedDataKeys,
    maxHeaderBytes: options.limits?.maxHeaderBytes ?? DEFAULT_LIMITS.maxHeaderBytes,
    maxFrameLength: options.limits?.maxFrameLength ?? DEFAULT_LIMITS.maxFrameLength,
    allowLegacy: options.allowLegacy ?? false,
  }
}

/** Pairs the format itself adds (the signed suite's public key): never the caller's to expect. */
const RESERVED_CONTEXT_PREFIX = 'aws-crypto-'

/**
 * Fails with `ContextMismatch` unless the message's context is exactly the expected one: every
 * expected pair present with its value, and no other pair but those the format reserves
 * (`aws-crypto-…`). An extra pair is refused too: a context names what the message is for, and
 * a message sealed for more than the caller asked (another tenant, another purpose) is not its
 * to open. `undefined` checks nothing (the library's explicit opt-out).
 */
export function checkExpectedContext(
  actual: Readonly<Record<string, string>>,
  expected: EncryptionContext | undefined,
): void {
  if (expected === undefined) return
  for (const [key, value] of Object.entries(expected)) {
    if (!Object.prototype.hasOwnProperty.call(actual, key)) {
      throw new SealboxError(
        'ContextMismatch',
        `the message's encryption context has no '${key}' (expected '${key}=${value}')`,
      )
    }
    if (actual[key] !== value) {
      throw new SealboxError(
        'ContextMismatch',
        `the message's encryption context has '${key}=${actual[key]}', expected '${key}=${value}'`,
      )
    }
  }
  const extra = Object.keys(actual).filter(
    (key) =>
      !key.startsWith(RESERVED_CONTEXT_PREFIX) &&
      !Object.prototype.hasOwnProperty.call(expected, key),
  )
  if (extra.length > 0) {
    throw new SealboxError(
      'ContextMismatch',
      `the message's encryption context has ${extra.map((k) => `'${k}=${actual[k]}'`).join(', ')}, which was not expected`,
      {
        hint: `expect the whole context (${extra.map((k) => `--context ${k}=${actual[k]}`).join(' ')}); 'sealbox inspect' shows it`,
      },
    )
  }
}

/** A readable name for an entry: the key ARN, or namespace/name of a raw key. */
export function describeEncryptedDataKey(edk: EncryptedDataKey): {
  providerId: string
  providerInfo: string
} {
  if (edk.providerId === KMS_PROVIDER_ID) {
    try {
      return { providerId: edk.providerId, providerInfo: fromUtf8(edk.providerInfo) }
    } catch {
      return { providerId: edk.providerId, providerInfo: toBase64(edk.providerInfo) }
    }
  }
  const raw = parseRawAesInfo(edk.providerInfo)
  return { providerId: edk.providerId, providerInfo: raw?.keyName ?? toBase64(edk.providerInfo) }
}

/**
 * The AAD a raw AES entry may have been wrapped with: the context in UTF-8 byte order (the spec),
 * then, for writers that got the order wrong, the order stored in the header and the locale order
 * the official JavaScript SDK's raw AES keyring uses by default (aws-encryption-sdk-javascript#428).
 * Every candidate holds the same pairs; only their order differs.
 */
function rawWrapAadCandidates(header: MessageHeader): Uint8Array[] {
  const context = header.encryptionContext
  const out = [serializeEncryptionContext(context)]
  const add = (bytes: Uint8Array): void => {
    if (!out.some((b) => Buffer.compare(b, bytes) === 0)) out.push(bytes)
  }
  add(header.encryptionContextBytes)
  const keys = Object.keys(context)
  if (keys.length > 1) {
    const parts: Buffer[] = [u16(keys.length)]
    for (const k of keys.sort((a, b) => a.localeCompare(b))) {
      const kb = Buffer.from(k, 'utf8')
      const vb = Buffer.from(context[k]!, 'utf8')
      parts.push(u16(kb.length), kb, u16(vb.length), vb)
    }
    add(Buffer.concat(parts))
  }
  return out
}

function u16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff])
}

/**
 * Unwraps the data key from the first entry a configured key can open: raw keys first (no
 * network), then KMS entries whose key is allowed. The caller zeroes the result.
 */
export async function decryptDataKey(
  header: MessageHeader,
  options: DecryptOptions,
): Promise<Uint8Array> {
  const { suite } = header
  const failures: string[] = []
  const kmsRefusals: SealboxError[] = []
  let firstCause: unknown
  const rawKeys = options.rawKeys ?? []
  if (rawKeys.length > 0) {
    const candidates = rawWrapAadCandidates(header)
    for (const edk of header.encryptedDataKeys) {
      for (const raw of rawKeys) {
        if (!raw.matches(edk)) continue
        const dataKey = raw.unwrap(edk, candidates, suite.keyBytes)
        if (dataKey !== undefined) return dataKey
        failures.push(`raw key ${raw.keyNamespace}/${raw.keyName} did not open its entry`)
      }
    }
  }
  for (const edk of header.encryptedDataKeys) {
    if (edk.providerId !== KMS_PROVIDER_ID) continue
    const { providerInfo: arn } = describeEncryptedDataKey(edk)
    const parsed = parseKmsArn(arn)
    if (parsed === undefined || parsed.resourceType !== 'key') {
      failures.push(`an aws-kms entry names '${arn}', which is not a key ARN`)
      continue
    }
    if (!arnAllowed(arn, options.allowedKeyIds)) {
      failures.push(`${arn} is not an allowed key`)
      continue
    }
    if (options.kms === undefined) {
      failures.push(`${arn} needs a KMS`)
      continue
    }
    try {
      return await kmsUnwrap(options.kms, edk, header.encryptionContext, suite.keyBytes)
    } catch (e) {
      firstCause ??= e
      if (isSealboxError(e)) kmsRefusals.push(e)
      failures.push(
        `${arn}: ${isSealboxError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e)}`,
      )
    }
  }
  const names = header.encryptedDataKeys.map((e) => {
    const d = describeEncryptedDataKey(e)
    return d.providerId === KMS_PROVIDER_ID ? d.providerInfo : `${d.providerId}/${d.providerInfo}`
  })
  const hint = `the message is wrapped under: ${names.join(', ')}; give one of these keys (--key-id, --raw-key) and check its KMS permissions`
  // When the KMS was the only thing that refused, and for one reason (a disabled key, a
  // ciphertext or context it does not accept, a denied caller), that reason is the failure.
  const kmsCodes = new Set(kmsRefusals.map((e) => e.code))
  if (kmsRefusals.length === failures.length && kmsCodes.size === 1) {
    const code = [...kmsCodes][0]!
    const why =
      code === 'InvalidCiphertextException'
        ? ': the message was altered, or its encryption context is not the one it was sealed with'
        : ''
    throw new SealboxError(
      code,
      `the KMS refused to unwrap the message's data key (${failures.join('; ')})${why}`,
      { cause: firstCause, hint },
    )
  }
  throw new SealboxError(
    'NoUsableKey',
    `no key could unwrap the message's data key${failures.length > 0 ? ` (${failures.join('; ')})` : ''}`,
    { cause: firstCause, hint },
  )
}
