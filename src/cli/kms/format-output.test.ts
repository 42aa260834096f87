import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cliShape, formatJson, formatText, isoTimestamp } from './format-output.js'

void test('timestamps print as Python isoformat in UTC, as the AWS CLI v2 does', () => {
  assert.equal(isoTimestamp(new Date(Date.UTC(2030, 0, 2, 3, 4, 5))), '2030-01-02T03:04:05+00:00')
  assert.equal(
    isoTimestamp(new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 7))),
    '2030-01-02T03:04:05.007000+00:00',
  )
})

void test('cliShape: AWS names, base64 blobs, context keys untouched', () => {
  assert.deepEqual(
    cliShape({
      keyId: 'k',
      plaintext: Uint8Array.from([0xff]),
      encryptionContext: { lower: 'v' },
      missing: undefined,
    }),
    { KeyId: 'k', Plaintext: '/w==', EncryptionContext: { lower: 'v' } },
  )
})

void test('text: a list of objects prints one row per object over the union of scalar keys', () => {
  const out = formatText({
    Aliases: [
      { AliasName: 'alias/a', TargetKeyId: 'k1' },
      { AliasName: 'alias/b', AliasArn: 'arn:b' },
    ],
    Truncated: false,
  })
  assert.equal(out, 'False\nALIASES\t\talias/a\tk1\nALIASES\tarn:b\talias/b\t\n')
})

void test('text: scalars, lists of scalars, nulls and empty lists', () => {
  assert.equal(formatText('abc'), 'abc\n')
  assert.equal(formatText(null), 'None\n')
  assert.equal(formatText(['a', 'b']), 'a\tb\n')
  assert.equal(
    formatText({ PolicyNames: ['default'], Truncated: true }),
    'True\nPOLICYNAMES\tdefault\n',
  )
  assert.equal(formatText({ Keys: [] }), '')
})

void test('json: four spaces, unicode kept as is', () => {
  assert.equal(formatJson({ A: ['é'] }), '{\n    "A": [\n        "é"\n    ]\n}\n')
})
