import { zero } from '../bytes/index.js'
import {
  EcdsaVerifier,
  GcmKey,
  randomBytes,
  type EcdsaSigner,
  type EcdsaSigningKey,
} from '../crypto/index.js'
import {
  fromBase64,
  serializeEncryptionContext,
  type EncryptionContext,
} from '../encoding/index.js'
import { SealboxError } from '../errors/index.js'
import { suiteHex, type AlgorithmSuite } from './algorithm-suite.js'
import { BodyDecoder } from './body-decoder.js'
import type { DecodeLimits } from './decode-limits.js'
import { serializeFooter } from './footer.js'
import { headerTag, verifyHeaderTag } from './header-auth.js'
import { deriveMessageKey, verifyCommitment } from './key-schedule.js'
import {
  CONTENT_FRAMED,
  serializeHeader,
  serializeHeaderBody,
  type EncryptedDataKey,
  type MessageHeader,
} from './message-header.js'
import { FrameSealer } from './frame-sealer.js'

/** The context key that carries a signed message's verification key (framework/default-cmm.md). */
export const PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key'

export interface SealParams {
  suite: AlgorithmSuite
  /** The full context stored in the header, including `aws-crypto-public-key` for signed suites. */
  encryptionContext: EncryptionContext
  encryptedDataKeys: readonly EncryptedDataKey[]
  frameLength: number
  /** Not retained: the derived key is computed at once and the caller zeroes its data key. */
  dataKey: Uint8Array
  signingKey?: EcdsaSigningKey
  /** For tests and vectors only; random otherwise. */
  messageId?: Uint8Array
}

export interface SealSession {
  readonly header: MessageHeader
  /** The serialized header (body and tag): the first bytes of the message. */
  readonly headerBytes: Uint8Array
  readonly sealer: FrameSealer
  /** The footer to write after the final frame (empty for unsigned suites). Call once. */
  footer(): Uint8Array
  /** Releases the message key. */
  close(): void
}

/** Starts a version 2 message: derives the keys, builds and authenticates the header. */
export function beginSeal(params: SealParams): SealSession {
  const { suite } = params
  if (suite.messageVersion !== 2) {
    throw new SealboxError(
      'UnsupportedFormat',
      `sealbox writes only committing suites, not ${suiteHex(suite.id)}`,
    )
  }
  if ((suite.signature !== undefined) !== (params.signingKey !== undefined)) {
    throw new SealboxError('InternalError', 'a signing key is needed exactly for signed suites')
  }
  const messageId = params.messageId ?? randomBytes(32)
  const { key, commitKey } = deriveMessageKey(suite, params.dataKey, messageId)
  const gcmKey = new GcmKey(key)
  zero(key)
  const fields = {
    version: 2 as const,
    suite,
    messageId,
    encryptionContext: params.encryptionContext,
    encryptionContextBytes: serializeEncryptionContext(params.encryptionContext),
    encryptedDataKeys: params.encryptedDataKeys,
    contentType: CONTENT_FRAMED as 1 | 2,
    frameLength: params.frameLength,
    suiteData: commitKey!,
    headerIv: new Uint8Array(0),
  }
  const body = serializeHeaderBody(fields)
  const header: MessageHeader = { ...fields, headerTag: headerTag(gcmKey, body) }
  const headerBytes = serializeHeader(header)
  const signer: EcdsaSigner | undefined = params.signingKey?.signer()
  signer?.update(headerBytes)
  const sealer = new FrameSealer(gcmKey, messageId, params.frameLength, signer)
  let footerDone = false
  return {
    header,
    headerBytes,
    sealer,
    footer() {
      if (footerDone) throw new SealboxError('InternalError', 'the footer was already written')
      footerDone = true
      return signer === undefined ? new Uint8Array(0) : serializeFooter(signer.finish())
    },
    close() {
      gcmKey.destroy()
    },
  }
}

/**
 * Opens a parsed message with its unwrapped data key: checks the key commitment (constant time),
 * then the header tag, then sets up signature verification. Only then is any header field
 * trustworthy. The caller zeroes the data key afterwards.
 */
export function beginOpen(
  header: MessageHeader,
  headerBody: Uint8Array,
  headerBytes: Uint8Array,
  dataKey: Uint8Array,
  limits: DecodeLimits,
): BodyDecoder {
  const { suite } = header
  const { key, commitKey } = deriveMessageKey(suite, dataKey, header.messageId)
  let gcmKey: GcmKey
  try {
    verifyCommitment(suite, header.suiteData, commitKey)
    gcmKey = new GcmKey(key)
  } finally {
    zero(key, commitKey)
  }
  verifyHeaderTag(gcmKey, header, headerBody)
  let verifier: EcdsaVerifier | undefined
  if (suite.signature !== undefined) {
    const encoded = header.encryptionContext[PUBLIC_KEY_CONTEXT_KEY]
    if (encoded === undefined) {
      throw new SealboxError(
        'SignatureInvalid',
        `the signed message carries no ${PUBLIC_KEY_CONTEXT_KEY} in its encryption context`,
      )
    }
    let point: Uint8Array
    try {
      point = fromBase64(encoded, PUBLIC_KEY_CONTEXT_KEY)
    } catch (cause) {
      throw new SealboxError(
        'SignatureInvalid',
        `the message's ${PUBLIC_KEY_CONTEXT_KEY} is not base64`,
        { cause },
      )
    }
    verifier = new EcdsaVerifier(suite.signature, point)
    verifier.update(headerBytes)
  }
  return new BodyDecoder(header, gcmKey, verifier, limits)
}
