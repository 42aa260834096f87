import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isSealboxError } from '../../../errors/index.js'
import { defaultKeyPolicy, evaluatePolicy, keyPolicyFor, type PolicyRequest } from './index.js'

const ACCT = '111122223333'
const OTHER = '444455556666'
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
const OTHER_KEY = `arn:aws:kms:us-east-1:${ACCT}:key/ffffffff-12ab-34cd-56ef-1234567890ab`
const ALICE = `arn:aws:iam::${ACCT}:user/alice`
const BOB = `arn:aws:iam::${ACCT}:user/bob`
const MANAGER = `arn:aws:iam::${ACCT}:user/myKeyManager`
const USER = `arn:aws:iam::${ACCT}:user/myKeyUser`
const STRANGER = `arn:aws:iam::${OTHER}:user/mallory`

function req(over: Partial<PolicyRequest> = {}): PolicyRequest {
  return { principal: ALICE, callerAccount: ACCT, action: 'kms:Encrypt', resource: KEY, ...over }
}

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements })
}

const allowAll = { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }

function allowed(p: string, r: PolicyRequest): boolean {
  return evaluatePolicy(p, r).allowed
}

void describe('evaluatePolicy: effects', () => {
  void test('an applicable Allow allows', () => {
    assert.deepEqual(evaluatePolicy(policy(allowAll), req()), { allowed: true })
  })

  void test('no applicable statement is an implicit deny in AWS wording', () => {
    const p = policy({ ...allowAll, Action: 'kms:Decrypt' })
    assert.deepEqual(evaluatePolicy(p, req()), {
      allowed: false,
      explicitDeny: false,
      reason: `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${KEY} because no resource-based policy allows the kms:Encrypt action`,
    })
  })

  void test('an explicit Deny wins over any Allow, before or after it', () => {
    const deny = { Effect: 'Deny', Principal: { AWS: ALICE }, Action: 'kms:Encrypt', Resource: '*' }
    const expected = {
      allowed: false,
      explicitDeny: true,
      reason: `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${KEY} with an explicit deny in a resource-based policy`,
    }
    assert.deepEqual(evaluatePolicy(policy(allowAll, deny), req()), expected)
    assert.deepEqual(evaluatePolicy(policy(deny, allowAll), req()), expected)
    // The Deny names alice only: bob is still allowed.
    assert.equal(allowed(policy(allowAll, deny), req({ principal: BOB })), true)
  })

  void test('a Statement may be a single object', () => {
    const p = JSON.stringify({ Version: '2012-10-17', Statement: allowAll })
    assert.equal(allowed(p, req()), true)
  })

  void test('a malformed document throws MalformedPolicyDocumentException', () => {
    assert.throws(
      () => evaluatePolicy('{', req()),
      (e) => isSealboxError(e, 'MalformedPolicyDocumentException'),
    )
  })
})

void describe('evaluatePolicy: principals', () => {
  void test('the account root names every principal of that account, and only it', () => {
    const p = defaultKeyPolicy(ACCT)
    assert.equal(allowed(p, req()), true)
    assert.equal(allowed(p, req({ principal: BOB, action: 'kms:ScheduleKeyDeletion' })), true)
    assert.equal(allowed(p, req({ principal: `arn:aws:iam::${ACCT}:root` })), true)
    const denied = evaluatePolicy(p, req({ principal: STRANGER, callerAccount: OTHER }))
    assert.equal(denied.allowed, false)
    assert.match(
      !denied.allowed ? denied.reason : '',
      /User: arn:aws:iam::444455556666:user\/mallory is not authorized/,
    )
  })

  void test('a bare 12-digit account id is the same as its root ARN', () => {
    const p = policy({ ...allowAll, Principal: { AWS: ACCT } })
    assert.equal(allowed(p, req({ principal: BOB })), true)
    assert.equal(allowed(p, req({ principal: STRANGER, callerAccount: OTHER })), false)
  })

  void test('a user ARN names that user only; a list names each', () => {
    const p = policy({ ...allowAll, Principal: { AWS: ALICE } })
    assert.equal(allowed(p, req()), true)
    assert.equal(allowed(p, req({ principal: BOB })), false)
    const both = policy({ ...allowAll, Principal: { AWS: [ALICE, BOB] } })
    assert.equal(allowed(both, req({ principal: BOB })), true)
    assert.equal(allowed(both, req({ principal: USER })), false)
  })

  void test('"*" and {"AWS": "*"} name anyone, from any account', () => {
    for (const principal of ['*', { AWS: '*' }, { AWS: ['*'] }]) {
      const p = policy({ ...allowAll, Principal: principal })
      assert.equal(allowed(p, req({ principal: STRANGER, callerAccount: OTHER })), true)
    }
  })

  void test('a role names its assumed-role sessions, with or without a path', () => {
    const session = `arn:aws:sts::${ACCT}:assumed-role/Deployer/ci-42`
    for (const role of [
      `arn:aws:iam::${ACCT}:role/Deployer`,
      `arn:aws:iam::${ACCT}:role/team/Deployer`,
    ]) {
      const p = policy({ ...allowAll, Principal: { AWS: role } })
      assert.equal(allowed(p, req({ principal: session })), true, role)
      assert.equal(
        allowed(p, req({ principal: `arn:aws:sts::${ACCT}:assumed-role/Other/ci-42` })),
        false,
      )
      assert.equal(
        allowed(p, req({ principal: `arn:aws:sts::${OTHER}:assumed-role/Deployer/ci-42` })),
        false,
      )
    }
  })

  void test('Service principals never match an IAM caller', () => {
    const p = policy({ ...allowAll, Principal: { Service: 'logs.amazonaws.com' } })
    assert.equal(allowed(p, req()), false)
  })

  void test('NotPrincipal applies to everyone not named', () => {
    const p = policy(allowAll, {
      Effect: 'Deny',
      NotPrincipal: { AWS: MANAGER },
      Action: 'kms:PutKeyPolicy',
      Resource: '*',
    })
    assert.equal(allowed(p, req({ principal: MANAGER, action: 'kms:PutKeyPolicy' })), true)
    assert.equal(allowed(p, req({ principal: ALICE, action: 'kms:PutKeyPolicy' })), false)
    assert.equal(allowed(p, req({ principal: ALICE, action: 'kms:Encrypt' })), true)
  })
})

void describe('evaluatePolicy: actions and resources', () => {
  const cases: Array<[string, string, boolean]> = [
    ['kms:*', 'kms:Decrypt', true],
    ['*', 'kms:Decrypt', true],
    ['kms:GenerateDataKey*', 'kms:GenerateDataKey', true],
    ['kms:GenerateDataKey*', 'kms:GenerateDataKeyWithoutPlaintext', true],
    ['kms:GenerateDataKey*', 'kms:GenerateRandom', false],
    ['kms:ReEncrypt*', 'kms:ReEncryptFrom', true],
    ['kms:ReEncrypt*', 'kms:ReEncryptTo', true],
    ['kms:?ncrypt', 'kms:Encrypt', true],
    ['kms:?ncrypt', 'kms:Decrypt', false],
    ['kms:De?rypt', 'kms:Decrypt', true],
    ['kms:encrypt', 'kms:Encrypt', true],
    ['KMS:ENCRYPT', 'kms:Encrypt', true],
    ['kms:Encrypt', 'kms:EncryptX', false],
    ['kms:Encrypt', 'kms:Encryp', false],
    ['s3:*', 'kms:Encrypt', false],
    ['kms:Describe*', 'kms:DescribeKey', true],
  ]
  for (const [pattern, action, expected] of cases) {
    void test(`Action ${pattern} ${expected ? 'covers' : 'does not cover'} ${action}`, () => {
      const p = policy({ ...allowAll, Action: pattern })
      assert.equal(allowed(p, req({ action })), expected)
    })
  }

  void test('NotAction applies to every action not named', () => {
    const p = policy({
      ...allowAll,
      NotAction: ['kms:Decrypt', 'kms:ScheduleKeyDeletion'],
      Action: undefined,
    })
    assert.equal(allowed(p, req({ action: 'kms:Encrypt' })), true)
    assert.equal(allowed(p, req({ action: 'kms:Decrypt' })), false)
    assert.equal(allowed(p, req({ action: 'kms:scheduleKeyDeletion' })), false)
  })

  void test('Resource takes "*", exact key ARNs and wildcards; ARNs are case-sensitive', () => {
    assert.equal(allowed(policy({ ...allowAll, Resource: KEY }), req()), true)
    assert.equal(
      allowed(policy({ ...allowAll, Resource: KEY }), req({ resource: OTHER_KEY })),
      false,
    )
    assert.equal(
      allowed(policy({ ...allowAll, Resource: KEY.replace('1234abcd', '1234ABCD') }), req()),
      false,
    )
    const wild = policy({ ...allowAll, Resource: `arn:aws:kms:*:${ACCT}:key/1234*` })
    assert.equal(allowed(wild, req()), true)
    assert.equal(allowed(wild, req({ resource: OTHER_KEY })), false)
    const one = policy({ ...allowAll, Resource: `arn:aws:kms:us-east-?:${ACCT}:key/*` })
    assert.equal(allowed(one, req()), true)
    assert.equal(allowed(one, req({ resource: KEY.replace('us-east-1', 'us-east-12') })), false)
  })

  void test('literal regex characters in patterns are literal', () => {
    const p = policy({ ...allowAll, Resource: 'arn:aws:kms:us-east-1:111122223333:key/a.c' })
    assert.equal(allowed(p, req({ resource: 'arn:aws:kms:us-east-1:111122223333:key/a.c' })), true)
    assert.equal(allowed(p, req({ resource: 'arn:aws:kms:us-east-1:111122223333:key/abc' })), false)
  })

  void test('NotResource applies to every other key', () => {
    const p = policy({ ...allowAll, Resource: undefined, NotResource: KEY })
    assert.equal(allowed(p, req()), false)
    assert.equal(allowed(p, req({ resource: OTHER_KEY })), true)
  })
})

void describe('evaluatePolicy: conditions', () => {
  const withCondition = (Condition: object): string => policy({ ...allowAll, Condition })
  const ctx = (encryptionContext: Record<string, string> | undefined): PolicyRequest =>
    encryptionContext === undefined ? req() : req({ encryptionContext })

  void test('StringEquals on kms:EncryptionContext:<key>: value case-sensitive, key name not', () => {
    const p = withCondition({ StringEquals: { 'kms:EncryptionContext:Department': 'IT' } })
    assert.equal(allowed(p, ctx({ Department: 'IT' })), true)
    assert.equal(allowed(p, ctx({ department: 'IT' })), true)
    assert.equal(allowed(p, ctx({ Department: 'it' })), false)
    assert.equal(allowed(p, ctx({ Department: 'HR' })), false)
    assert.equal(allowed(p, ctx({ Other: 'IT' })), false, 'absent key fails')
    assert.equal(allowed(p, ctx(undefined)), false, 'no context fails')
    const lower = withCondition({ StringEquals: { 'kms:encryptioncontext:department': 'IT' } })
    assert.equal(allowed(lower, ctx({ Department: 'IT' })), true)
  })

  void test('several values are OR, several keys and operators are AND', () => {
    const p = withCondition({
      StringEquals: { 'kms:EncryptionContext:Department': ['IT', 'HR'], 'kms:CallerAccount': ACCT },
      StringLike: { 'kms:EncryptionContext:Record': 'User/*' },
    })
    assert.equal(allowed(p, ctx({ Department: 'HR', Record: 'User/123' })), true)
    assert.equal(allowed(p, ctx({ Department: 'Ops', Record: 'User/123' })), false)
    assert.equal(allowed(p, ctx({ Department: 'IT', Record: 'Team/1' })), false)
    assert.equal(
      allowed(
        p,
        req({
          principal: STRANGER,
          callerAccount: OTHER,
          encryptionContext: { Department: 'IT', Record: 'User/1' },
        }),
      ),
      false,
    )
  })

  void test('StringLike and StringNotLike take * and ? and are case-sensitive', () => {
    const like = withCondition({ StringLike: { 'kms:EncryptionContext:Record': 'User/??3' } })
    assert.equal(allowed(like, ctx({ Record: 'User/123' })), true)
    assert.equal(allowed(like, ctx({ Record: 'user/123' })), false)
    assert.equal(allowed(like, ctx({ Record: 'User/1234' })), false)
    const notLike = withCondition({
      StringNotLike: { 'kms:EncryptionContext:Record': ['Admin/*', 'Root*'] },
    })
    assert.equal(allowed(notLike, ctx({ Record: 'User/1' })), true)
    assert.equal(allowed(notLike, ctx({ Record: 'Admin/1' })), false)
    assert.equal(allowed(notLike, ctx({ Record: 'Rootless' })), false)
  })

  void test('StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase', () => {
    const ne = withCondition({ StringNotEquals: { 'kms:EncryptionContext:Stage': 'prod' } })
    assert.equal(allowed(ne, ctx({ Stage: 'dev' })), true)
    assert.equal(allowed(ne, ctx({ Stage: 'prod' })), false)
    assert.equal(allowed(ne, ctx({ Stage: 'PROD' })), true)
    const ic = withCondition({ StringEqualsIgnoreCase: { 'kms:EncryptionContext:Stage': 'prod' } })
    assert.equal(allowed(ic, ctx({ Stage: 'PROD' })), true)
    assert.equal(allowed(ic, ctx({ Stage: 'dev' })), false)
    const nic = withCondition({
      StringNotEqualsIgnoreCase: { 'kms:EncryptionContext:Stage': 'prod' },
    })
    assert.equal(allowed(nic, ctx({ Stage: 'PROD' })), false)
    assert.equal(allowed(nic, ctx({ Stage: 'dev' })), true)
  })

  void test('an absent key fails a positive operator, holds for a negated one (as IAM does)', () => {
    const eq = withCondition({ StringEquals: { 'kms:EncryptionContext:Stage': 'prod' } })
    const ne = withCondition({ StringNotEquals: { 'kms:EncryptionContext:Stage': 'prod' } })
    const unknown = withCondition({
      StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
    })
    assert.equal(allowed(eq, ctx({})), false)
    assert.equal(allowed(ne, ctx({})), true)
    assert.equal(allowed(unknown, req()), false)
  })

  void test('...IfExists holds when the key is absent and tests it when present', () => {
    const p = withCondition({ StringEqualsIfExists: { 'kms:EncryptionContext:Stage': 'prod' } })
    assert.equal(allowed(p, ctx({})), true)
    assert.equal(allowed(p, ctx(undefined)), true)
    assert.equal(allowed(p, ctx({ Stage: 'prod' })), true)
    assert.equal(allowed(p, ctx({ Stage: 'dev' })), false)
    const like = withCondition({ StringLikeIfExists: { 'kms:EncryptionContext:Record': 'User/*' } })
    assert.equal(allowed(like, ctx({ Record: 'Team/1' })), false)
  })

  void test('kms:EncryptionContextKeys with ForAnyValue: at least one key listed', () => {
    const p = withCondition({
      'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['Record', 'Project'] },
    })
    assert.equal(allowed(p, ctx({ Record: 'x', Other: 'y' })), true)
    assert.equal(allowed(p, ctx({ Other: 'y' })), false)
    assert.equal(allowed(p, ctx({ record: 'x' })), false, 'the keys themselves are case-sensitive')
    assert.equal(allowed(p, ctx({})), false, 'an empty context has no value to match')
  })

  void test('kms:EncryptionContextKeys with ForAllValues: only listed keys (vacuously true when none)', () => {
    const p = withCondition({
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['Record', 'Project'] },
    })
    assert.equal(allowed(p, ctx({ Record: 'x' })), true)
    assert.equal(allowed(p, ctx({ Record: 'x', Project: 'y' })), true)
    assert.equal(allowed(p, ctx({ Record: 'x', Other: 'y' })), false)
    assert.equal(allowed(p, ctx({})), true)
    // The usual guard against the vacuous case: require a non-empty context.
    const guarded = withCondition({
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['Record'] },
      Null: { 'kms:EncryptionContextKeys': 'false' },
    })
    assert.equal(allowed(guarded, ctx({})), false)
    assert.equal(allowed(guarded, ctx({ Record: 'x' })), true)
  })

  void test('ForAnyValue / ForAllValues with negated and wildcard operators', () => {
    const anyNot = withCondition({
      'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': 'Record' },
    })
    assert.equal(allowed(anyNot, ctx({ Record: 'x' })), false)
    assert.equal(allowed(anyNot, ctx({ Record: 'x', Other: 'y' })), true)
    const allLike = withCondition({
      'ForAllValues:StringLike': { 'kms:EncryptionContextKeys': 'aws:*' },
    })
    assert.equal(allowed(allLike, ctx({ 'aws:a': '1', 'aws:b': '2' })), true)
    assert.equal(allowed(allLike, ctx({ 'aws:a': '1', b: '2' })), false)
  })

  void test('kms:EncryptionContextKeys without a set operator matches any key', () => {
    const p = withCondition({ StringEquals: { 'kms:EncryptionContextKeys': 'Record' } })
    assert.equal(allowed(p, ctx({ Record: 'x', Other: 'y' })), true)
    assert.equal(allowed(p, ctx({ Other: 'y' })), false)
    const not = withCondition({ StringNotEquals: { 'kms:EncryptionContextKeys': 'Record' } })
    assert.equal(allowed(not, ctx({ Record: 'x', Other: 'y' })), false)
    assert.equal(allowed(not, ctx({ Other: 'y' })), true)
  })

  void test('Null tests presence', () => {
    const mustHave = withCondition({ Null: { 'kms:EncryptionContext:Record': 'false' } })
    assert.equal(allowed(mustHave, ctx({ Record: 'x' })), true)
    assert.equal(allowed(mustHave, ctx({})), false)
    const mustLack = withCondition({ Null: { 'kms:EncryptionContext:Record': 'true' } })
    assert.equal(allowed(mustLack, ctx({})), true)
    assert.equal(allowed(mustLack, ctx({ Record: 'x' })), false)
  })

  void test('kms:CallerAccount, aws:PrincipalArn (with ArnLike) and aws:PrincipalAccount', () => {
    const acct = withCondition({ StringEquals: { 'kms:CallerAccount': ACCT } })
    assert.equal(allowed(acct, req()), true)
    assert.equal(allowed(acct, req({ principal: STRANGER, callerAccount: OTHER })), false)
    const arn = withCondition({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:user/a*` } })
    assert.equal(allowed(arn, req()), true)
    assert.equal(allowed(arn, req({ principal: BOB })), false)
    const arnNot = withCondition({ StringNotEquals: { 'aws:PrincipalArn': ALICE } })
    assert.equal(allowed(arnNot, req()), false)
    assert.equal(allowed(arnNot, req({ principal: BOB })), true)
    const pa = withCondition({ StringEquals: { 'aws:PrincipalAccount': OTHER } })
    assert.equal(allowed(pa, req({ principal: STRANGER, callerAccount: OTHER })), true)
  })

  void test('condition key names are case-insensitive', () => {
    const p = withCondition({ StringEquals: { 'KMS:CALLERACCOUNT': ACCT } })
    assert.equal(allowed(p, req()), true)
  })

  void test('a Deny with a context condition refuses only the matching calls', () => {
    const p = policy(allowAll, {
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:Record': 'User/123' } },
    })
    const refused = evaluatePolicy(
      p,
      req({ action: 'kms:Decrypt', encryptionContext: { Record: 'User/123' } }),
    )
    assert.equal(refused.allowed, false)
    assert.match(!refused.allowed ? refused.reason : '', /kms:Decrypt .*with an explicit deny/)
    assert.equal(
      allowed(p, req({ action: 'kms:Decrypt', encryptionContext: { Record: 'User/124' } })),
      true,
    )
    assert.equal(
      allowed(p, req({ action: 'kms:Encrypt', encryptionContext: { Record: 'User/123' } })),
      true,
    )
  })
})

void describe('keyPolicyFor: administrators manage, users use (seed 002)', () => {
  const p = keyPolicyFor({ accountId: ACCT, admins: [MANAGER], users: [USER] })
  const adminActions = [
    'kms:CreateAlias',
    'kms:DescribeKey',
    'kms:EnableKey',
    'kms:EnableKeyRotation',
    'kms:ListAliases',
    'kms:PutKeyPolicy',
    'kms:UpdateKeyDescription',
    'kms:DisableKey',
    'kms:GetKeyPolicy',
    'kms:GetKeyRotationStatus',
    'kms:DeleteAlias',
    'kms:TagResource',
    'kms:UntagResource',
    'kms:ScheduleKeyDeletion',
    'kms:CancelKeyDeletion',
    'kms:RotateKeyOnDemand',
  ]
  const useActions = [
    'kms:Encrypt',
    'kms:Decrypt',
    'kms:ReEncryptFrom',
    'kms:ReEncryptTo',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyWithoutPlaintext',
  ]
  for (const action of adminActions) {
    void test(`the administrator may ${action}`, () => {
      assert.equal(allowed(p, req({ principal: MANAGER, action })), true)
    })
  }
  for (const action of useActions) {
    void test(`the administrator may not ${action}; the user may`, () => {
      const d = evaluatePolicy(p, req({ principal: MANAGER, action }))
      assert.equal(d.allowed, false)
      assert.match(
        !d.allowed ? d.reason : '',
        new RegExp(`User: ${MANAGER} is not authorized to perform: ${action} `),
      )
      assert.equal(allowed(p, req({ principal: USER, action })), true)
    })
  }
  void test('the user may DescribeKey but not manage the key', () => {
    assert.equal(allowed(p, req({ principal: USER, action: 'kms:DescribeKey' })), true)
    for (const action of [
      'kms:PutKeyPolicy',
      'kms:ScheduleKeyDeletion',
      'kms:DisableKey',
      'kms:CreateAlias',
    ]) {
      assert.equal(allowed(p, req({ principal: USER, action })), false, action)
    }
  })
  void test('other principals of the account get nothing', () => {
    assert.equal(allowed(p, req({ principal: ALICE, action: 'kms:DescribeKey' })), false)
  })
  void test('several admins and users; an empty group is left out; both empty is refused', () => {
    const many = keyPolicyFor({ accountId: ACCT, admins: [MANAGER, BOB], users: [] })
    assert.equal(allowed(many, req({ principal: BOB, action: 'kms:PutKeyPolicy' })), true)
    assert.equal(allowed(many, req({ principal: BOB, action: 'kms:Encrypt' })), false)
    assert.throws(
      () => keyPolicyFor({ accountId: ACCT, admins: [], users: [] }),
      (e) => isSealboxError(e, 'ValidationException'),
    )
    assert.throws(
      () => keyPolicyFor({ accountId: ACCT, admins: ['not-an-arn'], users: [] }),
      (e) => isSealboxError(e, 'MalformedPolicyDocumentException') && /not-an-arn/.test(e.message),
    )
  })
})

void describe('defaultKeyPolicy', () => {
  void test("is AWS's default policy for the account", () => {
    const doc = JSON.parse(defaultKeyPolicy(ACCT)) as { Version: string; Statement: object[] }
    assert.equal(doc.Version, '2012-10-17')
    assert.deepEqual(doc.Statement, [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCT}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ])
  })
  void test('refuses an account id that is not 12 digits', () => {
    assert.throws(
      () => defaultKeyPolicy('1234'),
      (e) => isSealboxError(e, 'ValidationException'),
    )
  })
})
