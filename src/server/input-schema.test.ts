import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { isSealboxError } from '../errors/index.js'
import { KMS_OPERATION_NAMES } from '../kms/types/index.js'
import { inputFor, operationFor } from './router.js'

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn()
  } catch (e) {
    assert.ok(isSealboxError(e), `not a SealboxError: ${String(e)}`)
    return { code: e.code, message: e.message }
  }
  assert.fail('expected a refusal')
}

void test('a valid body becomes the port input: camelCase, bytes, dates, no unknown members', () => {
  const input = inputFor('Encrypt', {
    KeyId: 'alias/a',
    Plaintext: 'AQID',
    EncryptionContext: { Record: 'User/1', lower: 'x' },
    Unknown: 'ignored',
  })
  assert.deepEqual(input, {
    keyId: 'alias/a',
    plaintext: Uint8Array.of(1, 2, 3),
    encryptionContext: { Record: 'User/1', lower: 'x' },
  })
  const imported = inputFor('ImportKeyMaterial', {
    KeyId: 'k',
    ImportToken: 'AA==',
    EncryptedKeyMaterial: 'AAA=',
    ValidTo: 1_700_000_000.5,
  })
  assert.deepEqual(imported.validTo, new Date(1_700_000_000_500))
  assert.deepEqual(
    inputFor('TagResource', { KeyId: 'k', Tags: [{ TagKey: 'a', TagValue: '' }] }).tags,
    [{ tagKey: 'a', tagValue: '' }],
  )
})

void test('missing and oversized members are listed in AWS words', () => {
  assert.deepEqual(
    refusal(() => inputFor('Encrypt', {})),
    {
      code: 'ValidationException',
      message:
        "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; Value null at 'plaintext' failed to satisfy constraint: Member must not be null",
    },
  )
  const big = Buffer.alloc(4097).toString('base64')
  assert.deepEqual(
    refusal(() => inputFor('Encrypt', { KeyId: 'k', Plaintext: big })),
    {
      code: 'ValidationException',
      message:
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    },
  )
  assert.equal(
    inputFor('Encrypt', { KeyId: 'k', Plaintext: Buffer.alloc(4096).toString('base64') }).plaintext
      .length,
    4096,
  )
  assert.match(
    refusal(() => inputFor('DescribeKey', { KeyId: 'k'.repeat(2049) })).message,
    /Value at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048/,
  )
  assert.match(
    refusal(() => inputFor('GenerateDataKey', { KeyId: 'k', NumberOfBytes: 1025 })).message,
    /Value at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024/,
  )
  assert.match(
    refusal(() => inputFor('CreateAlias', { AliasName: 'alias/bad name', TargetKeyId: 'k' }))
      .message,
    /Value at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
  )
  assert.match(
    refusal(() => inputFor('GenerateDataKey', { KeyId: 'k', KeySpec: 'AES_512' })).message,
    /Member must satisfy enum value set: \[AES_256, AES_128\]/,
  )
  assert.match(
    refusal(() => inputFor('TagResource', { KeyId: 'k', Tags: [{ TagKey: 'a' }] })).message,
    /Value null at 'tags\.1\.member\.tagValue'/,
  )
})

void test('wrong JSON types are serialization errors naming the member', () => {
  const cases: Array<[Parameters<typeof inputFor>[0], unknown, RegExp]> = [
    ['Encrypt', { KeyId: 5, Plaintext: 'AA==' }, /'keyId' must be a string/],
    ['Encrypt', { KeyId: 'k', Plaintext: 'not base64' }, /'plaintext' must be a base64 string/],
    [
      'Encrypt',
      { KeyId: 'k', Plaintext: 'AA==', EncryptionContext: { a: 1 } },
      /'encryptionContext\.a' must be a string/,
    ],
    [
      'Encrypt',
      { KeyId: 'k', Plaintext: 'AA==', EncryptionContext: ['a'] },
      /'encryptionContext' must be a map/,
    ],
    ['GenerateDataKey', { KeyId: 'k', NumberOfBytes: 1.5 }, /'numberOfBytes' must be an integer/],
    ['GenerateDataKey', { KeyId: 'k', NumberOfBytes: '32' }, /'numberOfBytes' must be an integer/],
    ['CreateKey', { MultiRegion: 'false' }, /'multiRegion' must be a boolean/],
    [
      'ImportKeyMaterial',
      { KeyId: 'k', ImportToken: 'AA==', EncryptedKeyMaterial: 'AA==', ValidTo: 1e300 },
      /'validTo' must be a number/,
    ],
    ['ListKeys', [], /'body' must be a structure/],
    ['ListKeys', 'x', /'body' must be a structure/],
    ['TagResource', { KeyId: 'k', Tags: {} }, /'tags' must be a list/],
  ]
  for (const [op, body, message] of cases) {
    const r = refusal(() => inputFor(op, body))
    assert.equal(r.code, 'SerializationException', `${op} ${JSON.stringify(body)}`)
    assert.match(r.message, message)
  }
})

void test('the target names an operation only with the TrentService prefix and an own table entry', () => {
  assert.equal(operationFor('TrentService.Encrypt'), 'Encrypt')
  for (const target of [
    undefined,
    'Encrypt',
    'TrentService.',
    'TrentService.constructor',
    'TrentService.__proto__',
    'TrentService.toString',
    'trentservice.Encrypt',
    'TrentService.Sign',
  ]) {
    assert.equal(operationFor(target), undefined, String(target))
  }
  for (const op of KMS_OPERATION_NAMES) assert.equal(operationFor(`TrentService.${op}`), op)
})

void test('a context member named __proto__ stays data', () => {
  const input = inputFor(
    'Encrypt',
    JSON.parse('{"KeyId":"k","Plaintext":"AA==","EncryptionContext":{"__proto__":"x"}}'),
  )
  assert.equal(Object.getPrototypeOf(input.encryptionContext), Object.prototype)
  assert.deepEqual(Object.keys(input.encryptionContext!), ['__proto__'])
})

void test('any JSON value is either a port input or a serialization/validation refusal', () => {
  fc.assert(
    fc.property(fc.constantFrom(...KMS_OPERATION_NAMES), fc.jsonValue(), (op, body) => {
      try {
        inputFor(op, body)
      } catch (e) {
        assert.ok(
          isSealboxError(e, 'SerializationException') || isSealboxError(e, 'ValidationException'),
          String(e),
        )
      }
    }),
    { numRuns: 3000 },
  )
})
