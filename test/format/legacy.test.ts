import assert from 'node:assert/strict'
import { test } from 'node:test'
import { utf8 } from '../../src/bytes/index.js'
import { GcmKey } from '../../src/crypto/index.js'
import { isSealboxError } from '../../src/errors/index.js'
import {
  algorithmSuite,
  BodyAad,
  CONTENT_NON_FRAMED,
  DEFAULT_LIMITS,
  deriveMessageKey,
  headerTag,
  serializeHeaderBody,
} from '../../src/format/index.js'
import { DATA_KEY, openMessage, pattern } from './support/messages.js'

/** A version 1, non-framed message (the layout older SDKs wrote), built from the spec. */
function nonFramedMessage(plaintext: Uint8Array): Uint8Array {
  const suite = algorithmSuite(0x0178)!
  const messageId = new Uint8Array(16).fill(0x42)
  const body = serializeHeaderBody({
    version: 1,
    suite,
    messageId,
    encryptionContext: { legacy: 'yes' },
    encryptedDataKeys: [
      { providerId: 'test', providerInfo: utf8('key'), ciphertext: Uint8Array.of(0) },
    ],
    contentType: CONTENT_NON_FRAMED,
    frameLength: 0,
    suiteData: new Uint8Array(0),
  })
  const { key } = deriveMessageKey(suite, DATA_KEY, messageId)
  const gcm = new GcmKey(key)
  const iv = new Uint8Array(12) // header IV: zero
  const tag = headerTag(gcm, body)
  const aad = new BodyAad(messageId)
  const bodyIv = Buffer.from(aad.frameIv(1))
  const sealed = new Uint8Array(plaintext.length + 16)
  gcm.sealInto(bodyIv, aad.aad('single', 1, plaintext.length), plaintext, sealed, 0)
  const length = Buffer.alloc(8)
  length.writeBigUInt64BE(BigInt(plaintext.length))
  return Buffer.concat([body, iv, tag, bodyIv, length, sealed])
}

void test('a non-framed version 1 message opens only with the legacy option, within the frame limit', () => {
  const pt = pattern(5000)
  const message = nonFramedMessage(pt)
  const legacy = { ...DEFAULT_LIMITS, allowLegacy: true }
  assert.deepEqual(
    Buffer.from(openMessage(message, { limits: legacy, chunks: [13, 700] })),
    Buffer.from(pt),
  )
  assert.throws(
    () => openMessage(message),
    (e: unknown) => isSealboxError(e, 'UnsupportedFormat'),
  )
  assert.throws(
    () => openMessage(message, { limits: { ...legacy, maxFrameLength: 4999 } }),
    (e: unknown) => isSealboxError(e, 'LimitExceeded') && /non-framed/.test(e.message),
  )
  const altered = Buffer.from(message)
  altered[altered.length - 20]! ^= 1
  assert.throws(
    () => openMessage(altered, { limits: legacy }),
    (e: unknown) => isSealboxError(e, 'FrameAuthFailed'),
  )
  assert.throws(
    () => openMessage(message.subarray(0, message.length - 1), { limits: legacy }),
    (e: unknown) => isSealboxError(e, 'Truncated'),
  )
})
