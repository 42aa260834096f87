import assert from 'node:assert/strict'
import { hkdfSync, randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { hkdfExpand, hkdfExtract } from './hkdf-steps.js'

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'))

test('RFC 5869 test case 1 (SHA-256)', () => {
  const prk = hkdfExtract('sha256', hex('000102030405060708090a0b0c'), hex('0b'.repeat(22)))
  assert.equal(
    Buffer.from(prk).toString('hex'),
    '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
  )
  const okm = hkdfExpand('sha256', prk, hex('f0f1f2f3f4f5f6f7f8f9'), 42)
  assert.equal(
    Buffer.from(okm).toString('hex'),
    '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  )
})

test('extract then expand equals one-shot HKDF for every hash and many lengths', () => {
  for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
    for (const length of [1, 16, 32, 33, 64, 65, 200]) {
      const ikm = randomBytes(32)
      const salt = randomBytes(length % 2 === 0 ? 0 : 16)
      const info = randomBytes(length % 40)
      const split = hkdfExpand(hash, hkdfExtract(hash, salt, ikm), info, length)
      assert.deepEqual(Buffer.from(split), Buffer.from(hkdfSync(hash, ikm, salt, info, length)))
    }
  }
  assert.throws(
    () => hkdfExpand('sha256', new Uint8Array(32), new Uint8Array(0), 255 * 32 + 1),
    RangeError,
  )
})
