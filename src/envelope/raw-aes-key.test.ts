import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isSealboxError } from '../errors/index.js'
import { decryptBytes, encryptBytes, parseRawAesInfo, RawAesKey } from './index.js'

void test('a raw key keeps its own copy: zeroing the caller’s Buffer changes nothing', async () => {
  const bytes = Buffer.alloc(32, 9)
  const key = new RawAesKey('ns', 'k', bytes)
  bytes.fill(0)
  const message = await encryptBytes(Buffer.from('secret'), { rawKeys: [key] })
  const same = new RawAesKey('ns', 'k', Buffer.alloc(32, 9))
  assert.equal(
    Buffer.from((await decryptBytes(message, { rawKeys: [same] })).plaintext).toString(),
    'secret',
  )
  const zeros = new RawAesKey('ns', 'k', Buffer.alloc(32, 0))
  await assert.rejects(decryptBytes(message, { rawKeys: [zeros] }), (e: unknown) =>
    isSealboxError(e, 'NoUsableKey'),
  )
})

void test('provider info is key name, tag bits, IV length, IV; the aws-kms namespace is refused', () => {
  const key = new RawAesKey('ns', 'name', new Uint8Array(16).fill(1))
  const edk = key.wrap(new Uint8Array(32), new Uint8Array(0))
  assert.equal(edk.providerId, 'ns')
  assert.equal(edk.providerInfo.length, 4 + 4 + 4 + 12)
  assert.equal(parseRawAesInfo(edk.providerInfo)?.keyName, 'name')
  assert.equal(edk.ciphertext.length, 32 + 16)
  assert.throws(
    () => new RawAesKey('aws-kms', 'x', new Uint8Array(32)),
    (e: unknown) => isSealboxError(e, 'ValidationException'),
  )
  assert.throws(
    () => new RawAesKey('ns', 'x', new Uint8Array(20)),
    (e: unknown) => isSealboxError(e, 'ValidationException'),
  )
})
