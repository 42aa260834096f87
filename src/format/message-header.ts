import { ByteWriter, fromUtf8, utf8 } from '../bytes/index.js'
import { serializeEncryptionContext } from '../encoding/index.js'
import { SealboxError } from '../errors/index.js'
import {
  algorithmSuite,
  IV_BYTES,
  suiteHex,
  TAG_BYTES,
  type AlgorithmSuite,
} from './algorithm-suite.js'
import type { DecodeLimits } from './decode-limits.js'

/** One wrapped copy of the data key (data-format/message-header.md, "Encrypted Data Keys"). */
export interface EncryptedDataKey {
  readonly providerId: string
  readonly providerInfo: Uint8Array
  readonly ciphertext: Uint8Array
}

export const CONTENT_NON_FRAMED = 1
export const CONTENT_FRAMED = 2

export interface MessageHeader {
  readonly version: 1 | 2
  readonly suite: AlgorithmSuite
  /** 32 random bytes in version 2 (also the HKDF salt), 16 in version 1. */
  readonly messageId: Uint8Array
  readonly encryptionContext: Readonly<Record<string, string>>
  /** The context exactly as stored (the header AAD without its length prefix). */
  readonly encryptionContextBytes: Uint8Array
  readonly encryptedDataKeys: readonly EncryptedDataKey[]
  readonly contentType: 1 | 2
  /** Plaintext bytes per regular frame; 0 for non-framed bodies. */
  readonly frameLength: number
  /** The commit key for committing suites; empty otherwise. */
  readonly suiteData: Uint8Array
  /** Version 1 only: the stored header IV (always zero when written by a conforming encryptor). */
  readonly headerIv: Uint8Array
  readonly headerTag: Uint8Array
}

/** What a caller supplies to build a header; the context bytes are derived canonically. */
export type HeaderFields = Omit<
  MessageHeader,
  'encryptionContextBytes' | 'headerTag' | 'headerIv'
> & {
  encryptionContextBytes?: Uint8Array
  headerIv?: Uint8Array
}

/** The serialized header body: everything the header tag authenticates. */
export function serializeHeaderBody(fields: HeaderFields): Uint8Array {
  const { suite } = fields
  const contextBytes =
    fields.encryptionContextBytes ?? serializeEncryptionContext(fields.encryptionContext)
  if (contextBytes.length > 0xffff) {
    throw new SealboxError(
      'ValidationException',
      'the serialized encryption context exceeds 65535 bytes',
    )
  }
  if (fields.encryptedDataKeys.length === 0 || fields.encryptedDataKeys.length > 0xffff) {
    throw new SealboxError(
      'ValidationException',
      'a message needs between 1 and 65535 encrypted data keys',
    )
  }
  if (fields.version !== suite.messageVersion) {
    throw new SealboxError(
      'InternalError',
      `suite ${suiteHex(suite.id)} is written as version ${suite.messageVersion}`,
    )
  }
  const w = new ByteWriter(512)
  w.u8(fields.version)
  if (fields.version === 1) w.u8(0x80)
  w.u16(suite.id)
  w.bytes(fields.messageId)
  w.u16(contextBytes.length).bytes(contextBytes)
  w.u16(fields.encryptedDataKeys.length)
  for (const edk of fields.encryptedDataKeys) {
    w.bytes16(utf8(edk.providerId)).bytes16(edk.providerInfo).bytes16(edk.ciphertext)
  }
  w.u8(fields.contentType)
  if (fields.version === 1) w.u32(0).u8(IV_BYTES)
  w.u32(fields.frameLength)
  if (fields.version === 2) w.bytes(fields.suiteData)
  return w.finish()
}

/** Header authentication as stored after the body: v1 is IV then tag, v2 the tag alone. */
export function serializeHeaderAuth(
  header: Pick<MessageHeader, 'version' | 'headerIv' | 'headerTag'>,
): Uint8Array {
  if (header.version === 2) return header.headerTag
  const out = new Uint8Array(IV_BYTES + TAG_BYTES)
  out.set(header.headerIv, 0)
  out.set(header.headerTag, IV_BYTES)
  return out
}

export function serializeHeader(header: MessageHeader): Uint8Array {
  const body = serializeHeaderBody(header)
  const auth = serializeHeaderAuth(header)
  const out = new Uint8Array(body.length + auth.length)
  out.set(body, 0)
  out.set(auth, body.length)
  return out
}

export type HeaderParseResult =
  | {
      readonly done: true
      readonly header: MessageHeader
      readonly body: Uint8Array
      readonly length: number
    }
  | { readonly done: false; readonly needBytes: number }

class NeedMore {
  constructor(readonly needBytes: number) {}
}

/**
 * Parses a message header from the start of `bytes`, which may hold only part of it: then the
 * result says how many bytes are needed before trying again. Limits (encrypted data keys, header
 * size, frame length) and the legacy policy are enforced field by field as soon as the field is
 * read, so a hostile header costs no more than the limits allow and no key is ever asked for.
 * Nothing parsed here is authenticated until the header tag verifies.
 */
export function parseHeader(bytes: Uint8Array, limits: DecodeLimits): HeaderParseResult {
  try {
    return parseComplete(bytes, limits)
  } catch (e) {
    if (e instanceof NeedMore) return { done: false, needBytes: e.needBytes }
    throw e
  }
}

function malformed(what: string): SealboxError {
  return new SealboxError('NotAMessage', `the message header is malformed: ${what}`)
}

function parseComplete(
  bytes: Uint8Array,
  limits: DecodeLimits,
): HeaderParseResult & { done: true } {
  let pos = 0
  const take = (n: number): Uint8Array => {
    const end = pos + n
    if (end > limits.maxHeaderBytes) {
      throw new SealboxError(
        'LimitExceeded',
        `the message header is larger than the limit of ${limits.maxHeaderBytes} bytes`,
        { hint: 'raise limits.maxHeaderBytes if this message is trusted' },
      )
    }
    if (end > bytes.length) throw new NeedMore(end)
    const out = bytes.subarray(pos, end)
    pos = end
    return out
  }
  const u8 = (): number => take(1)[0]!
  const u16 = (): number => {
    const b = take(2)
    return (b[0]! << 8) | b[1]!
  }
  const u32 = (): number => {
    const b = take(4)
    return ((b[0]! << 24) >>> 0) + ((b[1]! << 16) | (b[2]! << 8) | b[3]!)
  }

  const version = u8()
  if (version !== 1 && version !== 2) throw notAMessage(bytes)
  if (version === 1 && u8() !== 0x80) throw notAMessage(bytes)
  const suiteId = u16()
  const suite = algorithmSuite(suiteId)
  if (suite === undefined || suite.messageVersion !== version) {
    throw new SealboxError(
      'UnsupportedFormat',
      `algorithm suite ${suiteHex(suiteId)} is not supported in a version ${version} message`,
    )
  }
  if (!suite.commitment && !limits.allowLegacy) {
    throw new SealboxError(
      'UnsupportedFormat',
      `the message uses the non-committing algorithm suite ${suiteHex(suiteId)} (${suite.name})`,
      {
        hint: 'decrypt it with the legacy option (--allow-legacy) if it comes from a trusted older writer',
      },
    )
  }
  const messageId = take(version === 2 ? 32 : 16)
  const contextLength = u16()
  const encryptionContextBytes = take(contextLength)
  const encryptionContext = parseContext(encryptionContextBytes)

  const edkCount = u16()
  if (edkCount === 0) throw malformed('it has no encrypted data keys')
  if (edkCount > limits.maxEncryptedDataKeys) {
    throw new SealboxError(
      'LimitExceeded',
      `the message has ${edkCount} encrypted data keys, more than the limit of ${limits.maxEncryptedDataKeys}`,
      { hint: 'raise limits.maxEncryptedDataKeys if this message is trusted' },
    )
  }
  const encryptedDataKeys: EncryptedDataKey[] = []
  for (let i = 0; i < edkCount; i++) {
    const providerIdBytes = take(u16())
    const providerInfo = take(u16())
    const ciphertext = take(u16())
    let providerId: string
    try {
      providerId = fromUtf8(providerIdBytes)
    } catch {
      throw malformed(`the provider id of encrypted data key ${i + 1} is not UTF-8`)
    }
    encryptedDataKeys.push({ providerId, providerInfo, ciphertext })
  }

  const contentType = u8()
  if (contentType !== CONTENT_FRAMED && contentType !== CONTENT_NON_FRAMED) {
    throw malformed(`unknown content type ${contentType}`)
  }
  if (contentType === CONTENT_NON_FRAMED && !limits.allowLegacy) {
    throw new SealboxError(
      'UnsupportedFormat',
      'the message body is not framed (a legacy layout)',
      {
        hint: 'decrypt it with the legacy option (--allow-legacy) if it comes from a trusted older writer',
      },
    )
  }
  if (version === 1) {
    const reserved = take(4)
    if (reserved.some((b) => b !== 0)) throw malformed('the reserved bytes are not zero')
    if (u8() !== IV_BYTES) throw malformed('the IV length is not 12')
  }
  const frameLength = u32()
  if (contentType === CONTENT_FRAMED) {
    if (frameLength === 0) throw malformed('a framed message has a frame length of 0')
    if (frameLength > limits.maxFrameLength) {
      throw new SealboxError(
        'LimitExceeded',
        `the message's frame length of ${frameLength} bytes is larger than the limit of ${limits.maxFrameLength}`,
        { hint: 'raise limits.maxFrameLength if this message is trusted' },
      )
    }
  } else if (frameLength !== 0) {
    throw malformed('a non-framed message has a frame length other than 0')
  }
  const suiteData = take(suite.suiteDataBytes)
  const bodyLength = pos
  const headerIv = version === 1 ? take(IV_BYTES) : new Uint8Array(0)
  const headerTag = take(TAG_BYTES)
  // Copies (new Uint8Array(view) copies; Buffer#slice would not): the parsed header outlives a
  // reused input buffer.
  const body = new Uint8Array(bytes.subarray(0, bodyLength))
  const header: MessageHeader = {
    version,
    suite,
    messageId: new Uint8Array(messageId),
    encryptionContext,
    encryptionContextBytes: new Uint8Array(encryptionContextBytes),
    encryptedDataKeys: encryptedDataKeys.map((e) => ({
      providerId: e.providerId,
      providerInfo: new Uint8Array(e.providerInfo),
      ciphertext: new Uint8Array(e.ciphertext),
    })),
    contentType,
    frameLength,
    suiteData: new Uint8Array(suiteData),
    headerIv: new Uint8Array(headerIv),
    headerTag: new Uint8Array(headerTag),
  }
  return { done: true, header, body, length: pos }
}

/**
 * The stored context. Pairs in any order are accepted (some writers sort by locale, not by
 * UTF-8 bytes); the stored bytes are what the header tag authenticates, so order cannot be
 * changed without detection. Duplicate keys are refused: they would make the context ambiguous.
 */
function parseContext(bytes: Uint8Array): Record<string, string> {
  const context = Object.create(null) as Record<string, string>
  if (bytes.length === 0) return context
  let pos = 0
  const field = (): Uint8Array => {
    if (pos + 2 > bytes.length) throw malformed('the encryption context is truncated')
    const n = (bytes[pos]! << 8) | bytes[pos + 1]!
    pos += 2
    if (pos + n > bytes.length) throw malformed('the encryption context is truncated')
    const out = bytes.subarray(pos, pos + n)
    pos += n
    return out
  }
  if (bytes.length < 2) throw malformed('the encryption context is truncated')
  const count = (bytes[0]! << 8) | bytes[1]!
  pos = 2
  if (count === 0) throw malformed('the encryption context has a zero pair count')
  for (let i = 0; i < count; i++) {
    let key: string
    let value: string
    try {
      key = fromUtf8(field())
      value = fromUtf8(field())
    } catch (e) {
      if (e instanceof SealboxError) throw e
      throw malformed('the encryption context is not UTF-8')
    }
    // Distinct valid UTF-8 byte strings decode to distinct strings, so this finds repeats.
    if (key in context) throw malformed('the encryption context repeats a key')
    context[key] = value
  }
  if (pos !== bytes.length) throw malformed('the encryption context has trailing bytes')
  return context
}

/** Base64 of a version 1 or 2 header starts with `AY` or `Ag`: worth a hint. */
function notAMessage(bytes: Uint8Array): SealboxError {
  const start = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0)
  const base64 = start === 'AY' || start === 'Ag'
  return new SealboxError(
    'NotAMessage',
    'the input is not a sealbox or AWS Encryption SDK message',
    {
      hint: base64
        ? 'the input looks base64-encoded; decode it first (base64 -d)'
        : 'check that the input is an encrypted message, not the plaintext or a partial copy',
    },
  )
}
