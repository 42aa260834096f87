import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isSealboxError } from '../../errors/index.js'
import { fromWire, toWire } from './index.js'

test('port values become AWS JSON and back', () => {
  const port = {
    keyMetadata: {
      awsAccountId: '000000000000',
      keyId: 'k',
      creationDate: new Date(1_700_000_000_500),
      enabled: true,
    },
    ciphertextBlob: Uint8Array.of(1, 2, 3),
    encryptionContext: { lowercase: 'v', Mixed: 'W' },
    tags: [{ tagKey: 'a', tagValue: 'b' }],
  }
  const wire = toWire(port) as Record<string, unknown>
  assert.deepEqual(wire, {
    KeyMetadata: {
      AWSAccountId: '000000000000',
      KeyId: 'k',
      CreationDate: 1_700_000_000.5,
      Enabled: true,
    },
    CiphertextBlob: 'AQID',
    EncryptionContext: { lowercase: 'v', Mixed: 'W' },
    Tags: [{ TagKey: 'a', TagValue: 'b' }],
  })
  assert.deepEqual(fromWire(JSON.parse(JSON.stringify(wire))), port)
})

test('bad blobs and timestamps are serialization errors naming the member', () => {
  assert.throws(
    () => fromWire({ Plaintext: 'not base64!' }),
    (e) => isSealboxError(e, 'SerializationException') && /Plaintext/.test(e.message),
  )
  assert.throws(
    () => fromWire({ Plaintext: 5 }),
    (e) => isSealboxError(e, 'SerializationException'),
  )
  assert.throws(
    () => fromWire({ ValidTo: '2020-01-01' }),
    (e) => isSealboxError(e, 'SerializationException') && /ValidTo/.test(e.message),
  )
})
