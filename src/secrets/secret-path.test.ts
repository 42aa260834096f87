import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { isSealboxError } from '../errors/index.js'
import { Layout } from './layout.js'
import { normalizeSecretPath } from './secret-path.js'

void describe('secret paths', () => {
  void test('a leading slash is dropped; other forms are kept as given', () => {
    assert.equal(normalizeSecretPath('/app/db-password'), 'app/db-password')
    assert.equal(normalizeSecretPath('app/.env'), 'app/.env')
    assert.equal(normalizeSecretPath('Prod/TLS key.pem'), 'Prod/TLS key.pem')
    assert.equal(normalizeSecretPath('ünï/cødé'), 'ünï/cødé')
  })

  const refused: Array<[string, RegExp]> = [
    ['', /empty/],
    ['/', /empty/],
    ['app/', /empty segment/],
    ['app//db', /empty segment/],
    ['app/../db', /'\.\.'/],
    ['./db', /'\.'/],
    ['app/.v/db', /reserved for versions/],
    ['app/.~meta.x', /'\.~' are reserved/],
    ['.sealbox/rotation.json', /reserved for the store/],
    ['app/*', /not allowed/],
    ['app/db[1]', /not allowed/],
    ['app\\db', /not allowed/],
    ['app/d\nb', /not allowed/],
    ['app/\u0000', /not allowed/],
    ['a\ud800b', /unicode/],
    ['x'.repeat(513), /longer than 512/],
  ]
  for (const [input, why] of refused) {
    void test(`refuses ${JSON.stringify(input.slice(0, 20))}`, () => {
      assert.throws(
        () => normalizeSecretPath(input),
        (e) => isSealboxError(e, 'UsageError') && why.test(e.message) && !e.message.includes('\n'),
      )
    })
  }

  void test('a segment merely starting with .v or .sealbox is a fine name', () => {
    assert.equal(normalizeSecretPath('app/.vault'), 'app/.vault')
    assert.equal(normalizeSecretPath('app/.sealbox'), 'app/.sealbox')
  })
})

void describe('layout', () => {
  void test('version keys are zero-padded so they sort in version order', () => {
    const layout = new Layout('secrets')
    assert.equal(layout.prefix, 'secrets/')
    assert.equal(layout.versionKey('app/db', 7), 'secrets/app/db/.v/0000000007')
    assert.ok(layout.versionKey('a', 9) < layout.versionKey('a', 10))
    assert.equal(layout.journalKey, 'secrets/.sealbox/rotation.json')
    assert.equal(new Layout('').versionKey('x', 1), 'x/.v/0000000001')
  })

  void test('parse is the inverse of versionKey and ignores every other object', () => {
    const layout = new Layout('p/')
    assert.deepEqual(layout.parse('p/app/db/.v/0000000012'), { path: 'app/db', version: 12 })
    for (const key of [
      'q/app/db/.v/0000000012',
      'p/app/db/.v/12',
      'p/app/db/.v/000000001x',
      'p/app/db/.v/0000000000',
      'p/.v/0000000001',
      'p/app/db',
      'p/.sealbox/rotation.json',
      'p/.sealbox/x/.v/0000000001',
      'p/app/db/.v/0000000001.tmp',
    ]) {
      assert.equal(layout.parse(key), undefined, key)
    }
  })

  void test('round trip over generated paths and versions', () => {
    const segment = fc
      .string({ minLength: 1, maxLength: 8, unit: 'grapheme' })
      .filter((s) => !s.includes('/') && s !== '.' && s !== '..' && s !== '.v')
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 9_999_999_999 }),
        (segs, version) => {
          let path: string
          try {
            path = normalizeSecretPath(segs.join('/'))
          } catch {
            return
          }
          const layout = new Layout('root/')
          assert.deepEqual(layout.parse(layout.versionKey(path, version)), { path, version })
        },
      ),
    )
  })

  void test('versions outside 1..9999999999 are refused', () => {
    const layout = new Layout('')
    for (const v of [0, -1, 1.5, 10_000_000_000]) {
      assert.throws(
        () => layout.versionKey('a', v),
        (e) => isSealboxError(e, 'UsageError'),
      )
    }
  })
})

void test('listing never yields a path that put would refuse', () => {
  const layout = new Layout('')
  assert.equal(layout.parse('/app/.v/0000000001'), undefined)
  assert.equal(layout.parse('app/\u001b[31m/.v/0000000001'), undefined)
  assert.equal(layout.parse('a//b/.v/0000000001'), undefined)
})
