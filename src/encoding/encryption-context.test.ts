import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { isSealboxError } from '../errors/index.js'
import { parseEncryptionContext, sameContext, serializeEncryptionContext } from './index.js'

describe('encryption context encoding', () => {
  test('an empty context is zero bytes', () => {
    assert.equal(serializeEncryptionContext({}).length, 0)
    assert.deepEqual({ ...parseEncryptionContext(new Uint8Array(0)) }, {})
  })

  test('length prefixes keep {"ab":"c"} and {"a":"bc"} apart', () => {
    const a = serializeEncryptionContext({ ab: 'c' })
    const b = serializeEncryptionContext({ a: 'bc' })
    assert.notDeepEqual(a, b)
  })

  test('pairs are sorted by UTF-8 bytes, not by UTF-16 code units or locale', () => {
    // U+FF21 (3 UTF-8 bytes, 0xEF…) sorts after U+10000 (4 bytes, 0xF0…) in UTF-16 but before it in UTF-8
    const bytes = serializeEncryptionContext({ '\u{10000}': 'x', '\uFF21': 'y' })
    const keys = Object.keys(parseEncryptionContext(bytes))
    assert.deepEqual(keys, ['\uFF21', '\u{10000}'])
  })

  test('the same pairs in any order give the same bytes', () => {
    assert.deepEqual(
      serializeEncryptionContext({ b: '2', a: '1' }),
      serializeEncryptionContext({ a: '1', b: '2' }),
    )
  })

  test('round trip for any context', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string(), { maxKeys: 8 }), (context) => {
        const parsed = parseEncryptionContext(serializeEncryptionContext(context))
        assert.ok(sameContext(parsed, context))
      }),
    )
  })

  test('parse refuses unsorted pairs, duplicates, trailing bytes and truncation', () => {
    const good = serializeEncryptionContext({ a: '1', b: '2' })
    const swapped = new Uint8Array([0, 2, 0, 1, 98, 0, 1, 50, 0, 1, 97, 0, 1, 49])
    const duplicate = new Uint8Array([0, 2, 0, 1, 97, 0, 1, 49, 0, 1, 97, 0, 1, 50])
    for (const bad of [
      swapped,
      duplicate,
      new Uint8Array([...good, 0]),
      good.subarray(0, good.length - 1),
    ]) {
      assert.throws(
        () => parseEncryptionContext(bad),
        (e) => isSealboxError(e, 'NotAMessage') || isSealboxError(e, 'Truncated'),
      )
    }
  })

  test('sameContext compares pairs exactly', () => {
    assert.ok(sameContext({ a: '1' }, { a: '1' }))
    assert.ok(!sameContext({ a: '1' }, { a: '1', b: '2' }))
    assert.ok(!sameContext({ a: '1' }, { A: '1' }))
  })
})
