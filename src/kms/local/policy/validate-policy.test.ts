import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isSealboxError } from '../../../errors/index.js'
import { MAX_POLICY_BYTES, validatePolicy } from './index.js'

const ok = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
  Action: 'kms:*',
  Resource: '*',
}

function doc(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements })
}

function refuses(policy: string, pattern: RegExp): void {
  assert.throws(
    () => validatePolicy(policy),
    (e) => {
      assert.ok(isSealboxError(e, 'MalformedPolicyDocumentException'), String(e))
      assert.match(e.message, pattern)
      return true
    },
  )
}

void describe('validatePolicy accepts', () => {
  const accepted: Array<[string, string]> = [
    ['the default policy', doc(ok)],
    ['version 2008-10-17', JSON.stringify({ Version: '2008-10-17', Statement: [ok] })],
    [
      'a single statement object and an Id',
      JSON.stringify({ Version: '2012-10-17', Id: 'x', Statement: ok }),
    ],
    ['Principal "*"', doc({ ...ok, Principal: '*' })],
    ['a bare account id', doc({ ...ok, Principal: { AWS: '111122223333' } })],
    [
      'lists of users, roles and sessions',
      doc({
        ...ok,
        Principal: {
          AWS: [
            'arn:aws:iam::111122223333:user/a',
            'arn:aws:iam::111122223333:role/path/R',
            'arn:aws:sts::111122223333:assumed-role/R/s',
          ],
        },
      }),
    ],
    ['a Service principal', doc({ ...ok, Principal: { Service: ['logs.amazonaws.com'] } })],
    [
      'NotPrincipal, NotAction and NotResource',
      doc({
        Effect: 'Deny',
        NotPrincipal: { AWS: '111122223333' },
        NotAction: 'kms:Describe*',
        NotResource: 'arn:aws:kms:*:111122223333:key/*',
      }),
    ],
    [
      'every supported condition operator',
      doc({
        ...ok,
        Condition: {
          StringEquals: { 'kms:EncryptionContext:a': 'x' },
          StringNotEqualsIfExists: { 'kms:EncryptionContext:b': ['x', 'y'] },
          StringEqualsIgnoreCase: { 'kms:EncryptionContext:c': 'x' },
          StringNotEqualsIgnoreCase: { 'kms:EncryptionContext:d': 'x' },
          StringLike: { 'kms:EncryptionContext:e': 'x*' },
          StringNotLike: { 'kms:EncryptionContext:f': 'x?' },
          'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'a' },
          'ForAllValues:StringLikeIfExists': { 'kms:EncryptionContextKeys': ['a*'] },
          ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:*' },
          Bool: { 'kms:GrantIsForAWSResource': true },
          Null: { 'kms:EncryptionContextKeys': 'false' },
        },
      }),
    ],
  ]
  for (const [name, policy] of accepted) {
    void test(name, () => validatePolicy(policy))
  }
  void test(`a document of exactly ${MAX_POLICY_BYTES} bytes`, () => {
    const base = JSON.stringify({ Version: '2012-10-17', Id: '', Statement: [ok] })
    const policy = base.replace('"Id":""', `"Id":"${'x'.repeat(MAX_POLICY_BYTES - base.length)}"`)
    assert.equal(Buffer.byteLength(policy), MAX_POLICY_BYTES)
    validatePolicy(policy)
  })
})

void describe('validatePolicy refuses, saying what is wrong', () => {
  const refused: Array<[string, string, RegExp]> = [
    ['an empty string', '', /empty/],
    ['text that is not JSON', '{"Version":', /not valid JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
    ['a missing Version', JSON.stringify({ Statement: [ok] }), /no 'Version'/],
    [
      'an unknown Version',
      JSON.stringify({ Version: '2020-01-01', Statement: [ok] }),
      /Version "2020-01-01"/,
    ],
    ['a missing Statement', JSON.stringify({ Version: '2012-10-17' }), /no 'Statement'/],
    [
      'an empty Statement list',
      JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      /Statement' list is empty/,
    ],
    [
      'an unknown top-level element',
      JSON.stringify({ Version: '2012-10-17', Statement: [ok], statement: [] }),
      /unknown policy element 'statement'/,
    ],
    [
      'a statement that is not an object',
      doc('x' as unknown as object),
      /statement 1 must be a JSON object/,
    ],
    ['a missing Effect', doc({ ...ok, Effect: undefined }), /statement 1: missing 'Effect'/],
    ['a lowercase Effect', doc({ ...ok, Effect: 'allow' }), /'Effect' is "allow"/],
    [
      'a missing Principal, named by Sid',
      doc(ok, { ...ok, Sid: 'Users', Principal: undefined }),
      /statement 2 \(Sid "Users"\): missing 'Principal'/,
    ],
    [
      'both Principal and NotPrincipal',
      doc({ ...ok, NotPrincipal: '*' }),
      /both 'Principal' and 'NotPrincipal'/,
    ],
    [
      'a Principal that is a bare string',
      doc({ ...ok, Principal: 'arn:aws:iam::111122223333:root' }),
      /'Principal' must be "\*" or an object/,
    ],
    [
      'an unknown principal type',
      doc({ ...ok, Principal: { IAM: 'x' } }),
      /unknown principal type 'IAM'/,
    ],
    [
      'a principal that is not an ARN',
      doc({ ...ok, Principal: { AWS: 'alice' } }),
      /invalid principal "alice"/,
    ],
    [
      'a wildcard inside a principal ARN',
      doc({ ...ok, Principal: { AWS: 'arn:aws:iam::111122223333:user/*' } }),
      /invalid principal/,
    ],
    [
      'an empty principal list',
      doc({ ...ok, Principal: { AWS: [] } }),
      /'Principal.AWS' is an empty list/,
    ],
    ['a missing Action', doc({ ...ok, Action: undefined }), /missing 'Action'/],
    [
      'both Action and NotAction',
      doc({ ...ok, NotAction: 'kms:Decrypt' }),
      /both 'Action' and 'NotAction'/,
    ],
    ['an action without a service', doc({ ...ok, Action: 'Encrypt' }), /invalid action "Encrypt"/],
    [
      'an action that is not a string',
      doc({ ...ok, Action: [1] }),
      /'Action' must be a non-empty string/,
    ],
    ['a missing Resource', doc({ ...ok, Resource: undefined }), /missing 'Resource'/],
    [
      'a resource that is not an ARN',
      doc({ ...ok, Resource: 'my-key' }),
      /invalid resource "my-key"/,
    ],
    [
      'an unknown statement element',
      doc({ ...ok, Conditions: {} }),
      /unknown element 'Conditions'/,
    ],
    ['a Sid that is not a string', doc({ ...ok, Sid: 3 }), /'Sid' must be a string/],
    [
      'a Condition that is not an object',
      doc({ ...ok, Condition: [] }),
      /'Condition' must be a JSON object/,
    ],
    [
      'an unsupported condition operator',
      doc({ ...ok, Condition: { NumericLessThan: { 'kms:x': '1' } } }),
      /'NumericLessThan' is not supported/,
    ],
    [
      'an unknown set operator',
      doc({ ...ok, Condition: { 'ForSomeValues:StringEquals': { 'kms:x': '1' } } }),
      /unknown condition set operator/,
    ],
    [
      'an empty condition block',
      doc({ ...ok, Condition: { StringEquals: {} } }),
      /'StringEquals' must be an object of condition keys/,
    ],
    [
      'a condition key without a prefix',
      doc({ ...ok, Condition: { StringEquals: { Department: 'IT' } } }),
      /invalid condition key "Department"/,
    ],
    [
      'an empty list of condition values',
      doc({ ...ok, Condition: { StringEquals: { 'kms:CallerAccount': [] } } }),
      /empty list of values/,
    ],
    [
      'an object as a condition value',
      doc({ ...ok, Condition: { StringEquals: { 'kms:CallerAccount': {} } } }),
      /values must be strings/,
    ],
    [
      'Null with a value other than true/false',
      doc({ ...ok, Condition: { Null: { 'kms:CallerAccount': 'yes' } } }),
      /takes "true" or "false"/,
    ],
    [
      'NullIfExists',
      doc({ ...ok, Condition: { NullIfExists: { 'kms:CallerAccount': 'true' } } }),
      /'Null' takes no prefix or suffix/,
    ],
  ]
  for (const [name, policy, pattern] of refused) {
    void test(name, () => refuses(policy, pattern))
  }
  void test(`a document over ${MAX_POLICY_BYTES} bytes (counted in UTF-8)`, () => {
    const base = JSON.stringify({ Version: '2012-10-17', Id: '', Statement: [ok] })
    // 'é' is two bytes: the character count stays under the limit, the byte count does not.
    const padding = 'é'.repeat(Math.ceil((MAX_POLICY_BYTES - base.length + 1) / 2))
    const policy = base.replace('"Id":""', `"Id":"${padding}"`)
    assert.ok(policy.length < MAX_POLICY_BYTES)
    refuses(policy, /at most 32768/)
  })
})
