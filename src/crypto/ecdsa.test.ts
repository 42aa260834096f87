import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isSealboxError } from '../errors/index.js'
import { EcdsaSigningKey, EcdsaVerifier } from './index.js'

void test('ECDSA signs in pieces and verifies from the compressed public key', () => {
  for (const [curve, pointBytes] of [
    ['P-384', 49],
    ['P-256', 33],
  ] as const) {
    const key = EcdsaSigningKey.generate(curve)
    assert.equal(key.publicKey.length, pointBytes)
    assert.ok(key.publicKey[0] === 2 || key.publicKey[0] === 3)
    const signer = key.signer()
    signer.update(Buffer.from('header'))
    signer.update(Buffer.from('body'))
    const signature = signer.finish()
    assert.equal(signature[0], 0x30, 'DER sequence')
    const ok = new EcdsaVerifier(curve, key.publicKey)
    ok.update(Buffer.from('headerbody'))
    assert.equal(ok.finish(signature), true)
    const altered = new EcdsaVerifier(curve, key.publicKey)
    altered.update(Buffer.from('headerbodY'))
    assert.equal(altered.finish(signature), false)
    const other = new EcdsaVerifier(curve, EcdsaSigningKey.generate(curve).publicKey)
    other.update(Buffer.from('headerbody'))
    assert.equal(other.finish(signature), false)
  }
})

void test('a public key that is not a curve point is refused', () => {
  const bad = new Uint8Array(49).fill(0xff)
  bad[0] = 2
  assert.throws(
    () => new EcdsaVerifier('P-384', bad),
    (e: unknown) => isSealboxError(e, 'SignatureInvalid'),
  )
  assert.throws(
    () => new EcdsaVerifier('P-384', new Uint8Array(33)),
    (e: unknown) => isSealboxError(e, 'SignatureInvalid'),
  )
})
