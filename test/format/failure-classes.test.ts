import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import {
  decryptBytes,
  decryptStream,
  encryptBytes,
  RawAesKey,
  type DecryptOptions,
} from '../../src/envelope/index.js'
import { isSealboxError, type ErrorCode } from '../../src/errors/index.js'
import { DEFAULT_LIMITS, parseHeader, REGULAR_FRAME_OVERHEAD } from '../../src/format/index.js'
import type { VectorManifest } from '../vectors/manifest.js'
import { pattern } from './support/messages.js'

const key = new RawAesKey('sealbox-test', 'k1', new Uint8Array(32).fill(1))
const otherKey = new RawAesKey('sealbox-test', 'k2', new Uint8Array(32).fill(2))
const impostor = new RawAesKey('sealbox-test', 'k1', new Uint8Array(32).fill(3))
const context = { purpose: 'failure-classes', tenant: 't1' }
const F = 32

async function failsWith(
  message: Uint8Array,
  options: DecryptOptions,
  code: ErrorCode,
  text?: RegExp,
): Promise<ErrorCode> {
  await assert.rejects(decryptBytes(message, options), (e: unknown) => {
    assert.ok(isSealboxError(e), String(e))
    assert.equal(e.code, code, e.message)
    if (text) assert.match(e.message, text)
    return true
  })
  return code
}

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

function headerLength(message: Uint8Array): number {
  const parsed = parseHeader(message, DEFAULT_LIMITS)
  assert.ok(parsed.done)
  return parsed.length
}

void describe('every failure class has its own code', () => {
  const seen = new Set<ErrorCode>()
  const opts: DecryptOptions = { rawKeys: [key], expectedContext: context }
  let unsigned: Buffer
  let signed: Buffer

  void test('setup: valid messages decrypt', async () => {
    unsigned = Buffer.from(
      await encryptBytes(pattern(3 * F + 5), {
        rawKeys: [key, otherKey],
        encryptionContext: context,
        frameLength: F,
      }),
    )
    signed = Buffer.from(
      await encryptBytes(pattern(3 * F + 5), {
        rawKeys: [key],
        encryptionContext: context,
        frameLength: F,
        signed: true,
      }),
    )
    for (const m of [unsigned, signed])
      assert.equal((await decryptBytes(m, opts)).plaintext.length, 3 * F + 5)
  })

  void test('NotAMessage: text, an empty input', async () => {
    seen.add(await failsWith(Buffer.from('just some text'), opts, 'NotAMessage'))
    await failsWith(new Uint8Array(0), opts, 'NotAMessage', /empty/)
  })

  void test('UnsupportedFormat: a non-committing message without the legacy option', async () => {
    const dir = new URL('../../../test/vectors/esdk-js/', import.meta.url)
    const manifest = JSON.parse(
      readFileSync(new URL('manifest.json', dir), 'utf8'),
    ) as VectorManifest
    const legacy = manifest.cases.find((c) => c.legacy)!
    seen.add(
      await failsWith(
        readFileSync(new URL(`${legacy.id}.msg`, dir)),
        opts,
        'UnsupportedFormat',
        /non-committing/,
      ),
    )
  })

  void test('KeyCommitmentMismatch: the stored commit key altered', async () => {
    const m = Buffer.from(unsigned)
    m[headerLength(m) - 16 - 1]! ^= 1 // last byte of the suite data, just before the header tag
    seen.add(await failsWith(m, opts, 'KeyCommitmentMismatch'))
  })

  void test('HeaderAuthFailed: the frame length field altered', async () => {
    const m = Buffer.from(unsigned)
    const at = headerLength(m) - 16 - 32 - 4 // u32 frame length sits before the suite data
    m.writeUInt32BE(F + 1, at)
    seen.add(await failsWith(m, opts, 'HeaderAuthFailed'))
  })

  void test('FrameAuthFailed names the frame', async () => {
    const m = Buffer.from(unsigned)
    m[headerLength(m) + (F + REGULAR_FRAME_OVERHEAD) + 20]! ^= 0x80
    seen.add(await failsWith(m, opts, 'FrameAuthFailed', /frame 2/))
  })

  void test('Truncated, TrailingData', async () => {
    seen.add(await failsWith(unsigned.subarray(0, unsigned.length - 1), opts, 'Truncated'))
    seen.add(await failsWith(Buffer.concat([unsigned, Buffer.of(0)]), opts, 'TrailingData'))
    await failsWith(unsigned.subarray(0, 20), opts, 'Truncated', /inside its header/)
  })

  void test('ContextMismatch names the key, for a missing pair and for another value', async () => {
    seen.add(
      await failsWith(
        unsigned,
        { rawKeys: [key], expectedContext: { tenant: 't2' } },
        'ContextMismatch',
        /'tenant=t1', expected 'tenant=t2'/,
      ),
    )
    await failsWith(
      unsigned,
      { rawKeys: [key], expectedContext: { region: 'eu' } },
      'ContextMismatch',
      /no 'region'/,
    )
  })

  void test('NoUsableKey: no key, a key with the same name but other bytes', async () => {
    seen.add(await failsWith(unsigned, { expectedContext: context }, 'NoUsableKey'))
    await failsWith(unsigned, { rawKeys: [impostor] }, 'NoUsableKey', /k1 did not open/)
    assert.equal(
      (await decryptBytes(unsigned, { rawKeys: [otherKey] })).plaintext.length,
      3 * F + 5,
      'the second wrapped copy opens alone',
    )
  })

  void test('LimitExceeded: more wrapped keys, a larger header or frame than allowed', async () => {
    seen.add(
      await failsWith(
        unsigned,
        { ...opts, limits: { maxEncryptedDataKeys: 1 } },
        'LimitExceeded',
        /2 encrypted data keys/,
      ),
    )
    await failsWith(unsigned, { ...opts, limits: { maxHeaderBytes: 100 } }, 'LimitExceeded')
    await failsWith(unsigned, { ...opts, limits: { maxFrameLength: F - 1 } }, 'LimitExceeded')
  })

  void test('SignatureInvalid: the signature altered', async () => {
    const m = Buffer.from(signed)
    m[m.length - 3]! ^= 1
    seen.add(await failsWith(m, opts, 'SignatureInvalid'))
  })

  void test('requireUnsigned refuses a signed message right after its header', async () => {
    await failsWith(signed, { ...opts, requireUnsigned: true }, 'UnsupportedFormat', /signed/)
    assert.equal(
      (await decryptBytes(unsigned, { ...opts, requireUnsigned: true })).plaintext.length,
      3 * F + 5,
    )
  })

  void test('the classes are told apart', () => {
    assert.equal(seen.size, 11, [...seen].join(', '))
  })

  void test('a stream yields the regular frames before a failure, and nothing of the final frame', async () => {
    const m = Buffer.from(unsigned)
    m[m.length - 1]! ^= 1 // the final frame's tag
    const got: Uint8Array[] = []
    await assert.rejects(
      async () => {
        for await (const b of decryptStream(chunks(m, 50), opts)) got.push(b)
      },
      (e: unknown) => isSealboxError(e, 'FrameAuthFailed') && /frame 4 \(final\)/.test(e.message),
    )
    assert.equal(Buffer.concat(got).length, 3 * F)
  })
})
