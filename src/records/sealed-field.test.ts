import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import fc from 'fast-check'
import { isSealboxError } from '../errors/index.js'
import type { FieldValue } from './field-value.js'
import { decryptField, encryptField, RecordFieldKeys } from './sealed-field.js'
import { decodeWrappedKeys, encodeWrappedKeys } from './wrapped-keys.js'

const tampered = (err: unknown) => isSealboxError(err) && err.code === 'RecordTampered'
const at = { table: 'users', id: '42', field: 'email' }

const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array().map((b) => Buffer.from(b)),
  fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)), {
    noNullPrototype: true,
  }),
  fc.array(fc.integer()),
)

test('every value type round-trips with its type', () => {
  const key = new Uint8Array(randomBytes(32))
  fc.assert(
    fc.property(fieldValue, (v) => {
      const back = decryptField(key, at, encryptField(key, at, v))
      assert.deepEqual(back, v)
    }),
  )
})

test('layout: version 1, 12-byte nonce, ciphertext, 16-byte tag; fresh nonce each time', () => {
  const key = new Uint8Array(randomBytes(32))
  const a = Buffer.from(encryptField(key, at, 'abc'), 'base64')
  const b = Buffer.from(encryptField(key, at, 'abc'), 'base64')
  assert.equal(a[0], 1)
  assert.equal(a.length, 1 + 12 + 4 + 16) // type byte + 3 bytes of text
  assert.notDeepEqual(a.subarray(1, 13), b.subarray(1, 13))
})

test('any flipped bit, truncation or other location fails with RecordTampered', () => {
  const key = new Uint8Array(randomBytes(32))
  const stored = Buffer.from(encryptField(key, at, 'secret@example.com'), 'base64')
  fc.assert(
    fc.property(fc.nat(stored.length * 8 - 1), (bit) => {
      const c = Buffer.from(stored)
      c[bit >> 3]! ^= 1 << (bit & 7)
      assert.throws(() => decryptField(key, at, c.toString('base64')), tampered)
    }),
  )
  const text = stored.toString('base64')
  assert.throws(() => decryptField(key, at, stored.subarray(0, 20).toString('base64')), tampered)
  assert.throws(() => decryptField(key, at, 'not base64!'), tampered)
  assert.throws(() => decryptField(key, { ...at, id: '43' }, text), tampered)
  assert.throws(() => decryptField(key, { ...at, field: 'phone' }, text), tampered)
  assert.throws(() => decryptField(key, { ...at, table: 'admins' }, text), tampered)
  // length-prefixed binding: ("4","2email") is not ("42","email")
  assert.throws(
    () => decryptField(key, { table: 'users', id: '4', field: '2email' }, text),
    tampered,
  )
  assert.throws(() => decryptField(new Uint8Array(randomBytes(32)), at, text), tampered)
  assert.equal(decryptField(key, at, text), 'secret@example.com')
})

test('record field keys: extract once, expand per field, zeroed on dispose', () => {
  const dataKey = new Uint8Array(randomBytes(32))
  const keys = new RecordFieldKeys(dataKey)
  const k1 = keys.fieldKey(at)
  const k2 = keys.fieldKey({ ...at, field: 'phone' })
  assert.equal(k1.length, 32)
  assert.notDeepEqual(k1, k2)
  assert.equal(decryptField(dataKey, at, encryptField(keys, at, 7)), 7)
  keys.dispose()
  assert.throws(() => keys.fieldKey(at))
})

test('wrapped key list: v1 prefix, round trip, malformed input refused', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          keyArn: fc.string({ maxLength: 200 }),
          ciphertextBlob: fc.uint8Array({ maxLength: 300 }),
        }),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
      (keys) => {
        const stored = encodeWrappedKeys(keys)
        assert.ok(stored.startsWith('v1:'))
        assert.deepEqual(
          decodeWrappedKeys(stored, 'r').map((k) => ({
            keyArn: k.keyArn,
            ciphertextBlob: Array.from(k.ciphertextBlob),
          })),
          keys.map((k) => ({ keyArn: k.keyArn, ciphertextBlob: Array.from(k.ciphertextBlob) })),
        )
      },
    ),
  )
  const good = encodeWrappedKeys([{ keyArn: 'arn:x', ciphertextBlob: new Uint8Array([1, 2, 3]) }])
  assert.throws(
    () => decodeWrappedKeys('v2:' + good.slice(3), 'r'),
    (e) => isSealboxError(e) && e.code === 'UnsupportedFormat',
  )
  assert.throws(() => decodeWrappedKeys(good.slice(0, -4), 'r'), tampered)
  assert.throws(() => decodeWrappedKeys(good + 'AAAA', 'r'), tampered)
  assert.throws(() => decodeWrappedKeys('v1:AA==', 'r'), tampered)
  assert.throws(
    () => encodeWrappedKeys([]),
    (e) => isSealboxError(e) && e.code === 'ValidationException',
  )
})
