import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isSealboxError } from '../errors/index.js'
import { ByteReader, ByteWriter, constantTimeEqual, zero } from './index.js'

test('writer and reader agree on every width', () => {
  const bytes = new ByteWriter(1)
    .u8(0xab)
    .u16(0xbeef)
    .u32(0xdeadbeef)
    .u64(2n ** 63n + 5n)
    .bytes16(Uint8Array.of(1, 2, 3))
    .finish()
  const r = new ByteReader(bytes)
  assert.equal(r.u8(), 0xab)
  assert.equal(r.u16(), 0xbeef)
  assert.equal(r.u32(), 0xdeadbeef)
  assert.equal(r.u64(), 2n ** 63n + 5n)
  assert.deepEqual(r.bytes16(), Uint8Array.of(1, 2, 3))
  assert.equal(r.remaining, 0)
})

test('reading past the end says which field was truncated', () => {
  const r = new ByteReader(Uint8Array.of(0, 9, 1), 'message header')
  assert.throws(
    () => r.bytes16('encrypted data key'),
    (e) =>
      isSealboxError(e, 'Truncated') &&
      /message header.*encrypted data key.*9 bytes, 1 left/.test(e.message),
  )
})

test('constant-time compare and zeroing', () => {
  assert.ok(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)))
  assert.ok(!constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)))
  assert.ok(!constantTimeEqual(Uint8Array.of(1), Uint8Array.of(1, 0)))
  const key = Uint8Array.of(9, 9, 9)
  zero(key, undefined)
  assert.deepEqual(key, Uint8Array.of(0, 0, 0))
})
