import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { utf8 } from '../bytes/index.js'
import { isSealboxError, type ErrorCode } from '../errors/index.js'
import {
  algorithmSuite,
  DEFAULT_LIMITS,
  parseHeader,
  serializeHeader,
  serializeHeaderBody,
  type DecodeLimits,
  type HeaderFields,
  type MessageHeader,
} from './index.js'

const edk = (i: number) => ({
  providerId: 'aws-kms',
  providerInfo: utf8(`arn:aws:kms:eu-west-1:111122223333:key/${i}`),
  ciphertext: new Uint8Array(40).fill(i),
})

function v2Fields(over: Partial<HeaderFields> = {}): HeaderFields {
  return {
    version: 2,
    suite: algorithmSuite(0x0478)!,
    messageId: new Uint8Array(32).fill(9),
    encryptionContext: { purpose: 'test', ü: 'ß' },
    encryptedDataKeys: [edk(1), edk(2)],
    contentType: 2,
    frameLength: 4096,
    suiteData: new Uint8Array(32).fill(5),
    ...over,
  }
}

function header(fields: HeaderFields): { bytes: Uint8Array; header: MessageHeader } {
  const parsed = parseHeader(
    Buffer.concat([
      serializeHeaderBody(fields),
      new Uint8Array(fields.version === 1 ? 28 : 16).fill(3),
    ]),
    { ...DEFAULT_LIMITS, maxFrameLength: 0xffffffff, allowLegacy: true },
  )
  assert.ok(parsed.done)
  return { bytes: serializeHeader(parsed.header), header: parsed.header }
}

function refused(f: () => unknown, code: ErrorCode, message?: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(isSealboxError(e), String(e))
    assert.equal(e.code, code, e.message)
    if (message) assert.match(e.message, message)
    return true
  })
}

const limits = (over: Partial<DecodeLimits> = {}): DecodeLimits => ({ ...DEFAULT_LIMITS, ...over })

void describe('message header', () => {
  void test('serialize(parse(x)) == x for version 2 and version 1 headers', () => {
    const v1 = v2Fields({
      version: 1,
      suite: algorithmSuite(0x0178)!,
      messageId: new Uint8Array(16).fill(1),
      suiteData: new Uint8Array(0),
    })
    for (const fields of [v2Fields(), v2Fields({ encryptionContext: {} }), v1]) {
      const { bytes } = header(fields)
      const again = parseHeader(bytes, limits({ allowLegacy: true }))
      assert.ok(again.done)
      assert.equal(again.length, bytes.length)
      assert.deepEqual(Buffer.from(serializeHeader(again.header)), Buffer.from(bytes))
      assert.deepEqual({ ...again.header.encryptionContext }, fields.encryptionContext)
    }
  })

  void test('an empty context is a zero AAD length, with no pair count', () => {
    const body = serializeHeaderBody(v2Fields({ encryptionContext: {} }))
    assert.deepEqual([...body.subarray(35, 37)], [0, 0])
    assert.deepEqual([...body.subarray(37, 39)], [0, 2]) // the EDK count follows at once
  })

  void test('every prefix asks for more bytes, never for fewer than it has, and never fails', () => {
    const { bytes } = header(v2Fields())
    for (let n = 0; n < bytes.length; n++) {
      const r = parseHeader(bytes.subarray(0, n), DEFAULT_LIMITS)
      assert.equal(r.done, false, `prefix ${n}`)
      if (!r.done)
        assert.ok(r.needBytes > n && r.needBytes <= bytes.length, `prefix ${n}: ${r.needBytes}`)
    }
  })

  void test('too many encrypted data keys fail as soon as the count is read', () => {
    const { bytes } = header(v2Fields({ encryptedDataKeys: [edk(1), edk(2), edk(3)] }))
    const body = Buffer.from(bytes)
    const aadLength = body.readUInt16BE(35)
    const cut = body.subarray(0, 37 + aadLength + 2) // through the EDK count, nothing after
    refused(
      () => parseHeader(cut, limits({ maxEncryptedDataKeys: 2 })),
      'LimitExceeded',
      /3 encrypted data keys.*limit of 2/,
    )
    assert.ok(parseHeader(bytes, limits({ maxEncryptedDataKeys: 3 })).done)
  })

  void test('a header larger than the limit fails once the limit is passed, whatever follows', () => {
    const { bytes } = header(v2Fields())
    refused(
      () => parseHeader(bytes.subarray(0, 100), limits({ maxHeaderBytes: 80 })),
      'LimitExceeded',
      /limit of 80 bytes/,
    )
    assert.ok(parseHeader(bytes, limits({ maxHeaderBytes: bytes.length })).done)
  })

  void test('a frame length above the limit fails before the header tag is read', () => {
    const { bytes } = header(v2Fields({ frameLength: 8 * 1024 * 1024 }))
    refused(
      () => parseHeader(bytes.subarray(0, bytes.length - 20), DEFAULT_LIMITS),
      'LimitExceeded',
      /frame length/,
    )
  })

  void test('non-committing suites and non-framed bodies need the legacy option', () => {
    const v1 = header(
      v2Fields({
        version: 1,
        suite: algorithmSuite(0x0378)!,
        messageId: new Uint8Array(16),
        suiteData: new Uint8Array(0),
      }),
    )
    refused(
      () => parseHeader(v1.bytes, DEFAULT_LIMITS),
      'UnsupportedFormat',
      /non-committing.*0x0378/,
    )
    assert.ok(parseHeader(v1.bytes, limits({ allowLegacy: true })).done)
    const nonFramed = header(
      v2Fields({
        version: 1,
        suite: algorithmSuite(0x0178)!,
        messageId: new Uint8Array(16),
        suiteData: new Uint8Array(0),
        contentType: 1,
        frameLength: 0,
      }),
    )
    refused(() => parseHeader(nonFramed.bytes, limits({ allowLegacy: false })), 'UnsupportedFormat')
    refused(() => parseHeader(nonFramed.bytes.subarray(0, 4), limits()), 'UnsupportedFormat')
  })

  void test('what is not a message says so, with a hint for base64', () => {
    refused(() => parseHeader(utf8('hello world'), DEFAULT_LIMITS), 'NotAMessage')
    const { bytes } = header(v2Fields())
    const b64 = utf8(Buffer.from(bytes).toString('base64'))
    assert.throws(
      () => parseHeader(b64, DEFAULT_LIMITS),
      (e: unknown) => isSealboxError(e, 'NotAMessage') && /base64/.test(e.hint ?? ''),
    )
    const unknownSuite = Buffer.from(bytes)
    unknownSuite.writeUInt16BE(0x0479, 1)
    refused(() => parseHeader(unknownSuite, DEFAULT_LIMITS), 'UnsupportedFormat', /0x0479/)
  })

  void test('context pairs in another order are read (some writers sort by locale); repeated keys are not', () => {
    const pair = (k: string, v: string) =>
      Buffer.concat([u16(k.length), utf8(k), u16(v.length), utf8(v)])
    const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff])
    const unsorted = Buffer.concat([u16(2), pair('b', '2'), pair('a', '1')])
    const fields = v2Fields({
      encryptionContextBytes: unsorted,
      encryptionContext: { a: '1', b: '2' },
    })
    const { header: h, bytes } = header(fields)
    assert.deepEqual({ ...h.encryptionContext }, { a: '1', b: '2' })
    assert.deepEqual(Buffer.from(h.encryptionContextBytes), unsorted)
    assert.deepEqual(Buffer.from(serializeHeader(h)), Buffer.from(bytes))
    const repeated = Buffer.concat([u16(2), pair('a', '1'), pair('a', '2')])
    const body = serializeHeaderBody(v2Fields({ encryptionContextBytes: repeated }))
    refused(
      () => parseHeader(Buffer.concat([body, new Uint8Array(16)]), DEFAULT_LIMITS),
      'NotAMessage',
      /repeats a key/,
    )
  })
})
