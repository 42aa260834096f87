import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isSealboxError } from '../errors/index.js'
import { fromBase64, toBase64 } from './index.js'

test('base64 round trip with padding', () => {
  for (const n of [0, 1, 2, 3, 4, 31, 32]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => i * 7)
    assert.deepEqual(fromBase64(toBase64(bytes)), bytes)
  }
})

test('strict base64 refuses what Node would silently skip', () => {
  for (const bad of ['abc', 'ab$=', 'YQ', 'YQ==YQ==', ' YQ==', 'YW\nJj']) {
    assert.throws(
      () => fromBase64(bad, 'Plaintext'),
      (e) => isSealboxError(e, 'SerializationException') && /Plaintext/.test(e.message),
    )
  }
})
