import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type {
  Caller,
  GrantConstraints,
  GrantOperation,
  KmsPort,
} from '../../src/kms/types/index.js'
import { ACCOUNT, ALICE, bytes, openTestKms, refused, text, type TestKms } from './open-test-kms.js'

// Grants give principals the key policy does not name some operations on one key, optionally
// only for some encryption contexts; the owner's account (ALICE) administers the key.
const OTHER = '999988887777'
const BOB: Caller = { principal: `arn:aws:iam::${OTHER}:user/bob`, accountId: OTHER }
const CAROL: Caller = { principal: `arn:aws:iam::${OTHER}:user/carol`, accountId: OTHER }

void describe('grants on the embedded KMS', () => {
  let t: TestKms
  let bob: KmsPort
  let carol: KmsPort
  let keyArn: string

  before(async () => {
    t = openTestKms()
    bob = t.provider.forCaller(BOB)
    carol = t.provider.forCaller(CAROL)
    keyArn = (await t.kms.createKey({})).keyMetadata.arn
  })
  after(() => t.close())

  void test('a principal of another account is refused until granted, then only what the grant names', async () => {
    await refused(bob.encrypt({ keyId: keyArn, plaintext: bytes('x') }), 'AccessDeniedException')
    const { grantId } = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: BOB.principal,
      operations: ['Encrypt', 'Decrypt'],
    })
    const { ciphertextBlob } = await bob.encrypt({ keyId: keyArn, plaintext: bytes('for bob') })
    assert.equal(text((await bob.decrypt({ ciphertextBlob })).plaintext), 'for bob')
    await refused(
      bob.generateDataKey({ keyId: keyArn, keySpec: 'AES_256' }),
      'AccessDeniedException',
    )
    await refused(bob.describeKey({ keyId: keyArn }), 'AccessDeniedException')
    await refused(bob.scheduleKeyDeletion({ keyId: keyArn }), 'AccessDeniedException')
    // a grant is for its grantee alone
    await refused(carol.encrypt({ keyId: keyArn, plaintext: bytes('x') }), 'AccessDeniedException')
    await t.kms.revokeGrant({ keyId: keyArn, grantId })
    await refused(bob.encrypt({ keyId: keyArn, plaintext: bytes('x') }), 'AccessDeniedException')
  })

  void test('EncryptionContextSubset: the pairs must be in the request; keys without regard to case', async () => {
    const { grantId } = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: BOB.principal,
      operations: ['Encrypt', 'DescribeKey'],
      constraints: { encryptionContextSubset: { Department: 'IT' } },
    })
    const enc = (encryptionContext?: Record<string, string>) =>
      bob.encrypt({
        keyId: keyArn,
        plaintext: bytes('x'),
        ...(encryptionContext === undefined ? {} : { encryptionContext }),
      })
    await enc({ Department: 'IT' })
    await enc({ department: 'IT', project: 'p1' })
    await refused(enc({ Department: 'it' }), 'AccessDeniedException')
    await refused(enc({ Team: 'IT' }), 'AccessDeniedException')
    await refused(enc(), 'AccessDeniedException')
    // DescribeKey takes no context: the constraint does not apply to it
    assert.equal((await bob.describeKey({ keyId: keyArn })).keyMetadata.arn, keyArn)
    await t.kms.revokeGrant({ keyId: keyArn, grantId })
  })

  void test('EncryptionContextEquals: exactly those pairs', async () => {
    const { grantId } = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: BOB.principal,
      operations: ['GenerateDataKey', 'Decrypt'],
      constraints: { encryptionContextEquals: { app: 'billing' } },
    })
    const key = await bob.generateDataKey({
      keyId: keyArn,
      keySpec: 'AES_256',
      encryptionContext: { APP: 'billing' },
    })
    await bob.decrypt({ ciphertextBlob: key.ciphertextBlob, encryptionContext: { APP: 'billing' } })
    await refused(
      bob.generateDataKey({
        keyId: keyArn,
        keySpec: 'AES_256',
        encryptionContext: { app: 'billing', extra: '1' },
      }),
      'AccessDeniedException',
    )
    await t.kms.revokeGrant({ keyId: keyArn, grantId })
  })

  void test('an explicit Deny in the key policy wins over a grant', async () => {
    const { keyMetadata } = await t.kms.createKey({
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Effect: 'Deny',
            Principal: { AWS: BOB.principal },
            Action: 'kms:Decrypt',
            Resource: '*',
          },
        ],
      }),
    })
    await t.kms.createGrant({
      keyId: keyMetadata.keyId,
      granteePrincipal: BOB.principal,
      operations: ['Encrypt', 'Decrypt'],
    })
    const { ciphertextBlob } = await bob.encrypt({ keyId: keyMetadata.arn, plaintext: bytes('x') })
    await refused(bob.decrypt({ ciphertextBlob }), 'AccessDeniedException')
  })

  void test('CreateGrant through a grant gives no more than that grant: operations and constraint', async () => {
    // bob, asking for a grant to carol
    const grantToCarol = (
      operations: GrantOperation[],
      constraints?: GrantConstraints,
    ): Promise<unknown> =>
      bob.createGrant({
        keyId: keyArn,
        granteePrincipal: CAROL.principal,
        operations,
        ...(constraints === undefined ? {} : { constraints }),
      })
    await refused(grantToCarol(['Encrypt']), 'AccessDeniedException')
    const parent = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: BOB.principal,
      operations: ['CreateGrant', 'Encrypt', 'Decrypt'],
      constraints: { encryptionContextSubset: { tenant: 't1' } },
    })
    // narrower operations and a stricter constraint: allowed
    await grantToCarol(['Encrypt'], { encryptionContextEquals: { tenant: 't1', env: 'prod' } })
    await carol.encrypt({
      keyId: keyArn,
      plaintext: bytes('x'),
      encryptionContext: { tenant: 't1', env: 'prod' },
    })
    // an operation the parent lacks, or a looser constraint: refused
    await refused(
      grantToCarol(['GenerateDataKey'], { encryptionContextSubset: { tenant: 't1' } }),
      'AccessDeniedException',
    )
    await refused(grantToCarol(['Encrypt']), 'AccessDeniedException')
    await refused(
      grantToCarol(['Encrypt'], { encryptionContextSubset: { env: 'prod' } }),
      'AccessDeniedException',
    )
    await t.kms.revokeGrant({ keyId: keyArn, grantId: parent.grantId })
  })

  void test('who may retire: the retiring principal, the grantee if the grant says so, nobody else', async () => {
    const plain = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: BOB.principal,
      operations: ['Encrypt'],
      retiringPrincipal: CAROL.principal,
    })
    await refused(bob.retireGrant({ grantToken: plain.grantToken }), 'AccessDeniedException')
    await refused(
      bob.revokeGrant({ keyId: keyArn, grantId: plain.grantId }),
      'AccessDeniedException',
    )
    await carol.retireGrant({ keyId: keyArn, grantId: plain.grantId })
    await refused(bob.encrypt({ keyId: keyArn, plaintext: bytes('x') }), 'AccessDeniedException')

    const selfRetiring = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: BOB.principal,
      operations: ['Encrypt', 'RetireGrant'],
    })
    await bob.encrypt({ keyId: keyArn, plaintext: bytes('x') })
    await bob.retireGrant({ grantToken: selfRetiring.grantToken })
    await refused(bob.encrypt({ keyId: keyArn, plaintext: bytes('x') }), 'AccessDeniedException')
  })

  void test('grant states and lifecycle: a disabled key stays disabled; a deleted key takes its grants', async () => {
    const { keyMetadata } = await t.kms.createKey({})
    const keyId = keyMetadata.keyId
    await t.kms.createGrant({ keyId, granteePrincipal: BOB.principal, operations: ['Encrypt'] })
    await t.kms.disableKey({ keyId })
    await refused(
      bob.encrypt({ keyId: keyMetadata.arn, plaintext: bytes('x') }),
      'DisabledException',
    )
    // grants can still be created and listed on a disabled key
    await t.kms.createGrant({ keyId, granteePrincipal: CAROL.principal, operations: ['Decrypt'] })
    assert.equal((await t.kms.listGrants({ keyId })).grants.length, 2)
    await t.kms.scheduleKeyDeletion({ keyId, pendingWindowInDays: 7 })
    await refused(
      t.kms.createGrant({ keyId, granteePrincipal: BOB.principal, operations: ['Encrypt'] }),
      'KMSInvalidStateException',
    )
    t.clock.advance(8 * 86_400_000)
    await refused(t.kms.listGrants({ keyId }), 'NotFoundException')
    const left = t.keystore.db
      .prepare('SELECT COUNT(*) AS n FROM kms_grants WHERE key_id = ?')
      .get(keyId)
    assert.deepEqual(left, { n: 0 })
  })

  void test('kms:GrantOperations and kms:GranteePrincipal in the key policy limit the grants a caller may create', async () => {
    const dave: Caller = { principal: `arn:aws:iam::${ACCOUNT}:user/dave`, accountId: ACCOUNT }
    const asDave = t.provider.forCaller(dave)
    const { keyMetadata } = await t.kms.createKey({
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: ALICE.principal },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Effect: 'Allow',
            Principal: { AWS: dave.principal },
            Action: 'kms:CreateGrant',
            Resource: '*',
            Condition: {
              'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt'] },
              StringEquals: { 'kms:GranteePrincipal': BOB.principal },
            },
          },
        ],
      }),
    })
    const keyId = keyMetadata.keyId
    await asDave.createGrant({ keyId, granteePrincipal: BOB.principal, operations: ['Decrypt'] })
    await refused(
      asDave.createGrant({
        keyId,
        granteePrincipal: BOB.principal,
        operations: ['Decrypt', 'Encrypt'],
      }),
      'AccessDeniedException',
    )
    await refused(
      asDave.createGrant({ keyId, granteePrincipal: dave.principal, operations: ['Decrypt'] }),
      'AccessDeniedException',
    )
  })

  void test('context keys that differ only by case cannot slip an extra pair past EncryptionContextEquals', async () => {
    const { grantId } = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: BOB.principal,
      operations: ['Encrypt'],
      constraints: { encryptionContextEquals: { a: '2' } },
    })
    const enc = (encryptionContext: Record<string, string>) =>
      bob.encrypt({ keyId: keyArn, plaintext: bytes('x'), encryptionContext })
    await enc({ A: '2' })
    await refused(enc({ A: 'anything', a: '2' }), 'AccessDeniedException')
    await refused(enc({ a: '2', A: 'anything' }), 'AccessDeniedException')
    await t.kms.revokeGrant({ keyId: keyArn, grantId })
  })

  void test("a grant to a role covers the role's sessions; a grant to an account root, the account", async () => {
    const session: Caller = {
      principal: `arn:aws:sts::${OTHER}:assumed-role/app/session-1`,
      accountId: OTHER,
    }
    const asSession = t.provider.forCaller(session)
    const toRole = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: `arn:aws:iam::${OTHER}:role/app`,
      operations: ['Encrypt', 'RetireGrant'],
    })
    await asSession.encrypt({ keyId: keyArn, plaintext: bytes('x') })
    await refused(bob.encrypt({ keyId: keyArn, plaintext: bytes('x') }), 'AccessDeniedException')
    await asSession.retireGrant({ grantToken: toRole.grantToken })
    await refused(
      asSession.encrypt({ keyId: keyArn, plaintext: bytes('x') }),
      'AccessDeniedException',
    )
    const toAccount = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: `arn:aws:iam::${OTHER}:root`,
      operations: ['Encrypt'],
    })
    await bob.encrypt({ keyId: keyArn, plaintext: bytes('x') })
    await asSession.encrypt({ keyId: keyArn, plaintext: bytes('x') })
    await t.kms.revokeGrant({ keyId: keyArn, grantId: toAccount.grantId })
  })

  void test('a grant token gives nothing beyond its grant, to no one but the grantee', async () => {
    const { grantToken, grantId } = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: BOB.principal,
      operations: ['Encrypt'],
    })
    const grantTokens = [grantToken]
    await bob.encrypt({ keyId: keyArn, plaintext: bytes('x'), grantTokens })
    await refused(
      bob.generateDataKey({ keyId: keyArn, keySpec: 'AES_256', grantTokens }),
      'AccessDeniedException',
    )
    await refused(
      carol.encrypt({ keyId: keyArn, plaintext: bytes('x'), grantTokens }),
      'AccessDeniedException',
    )
    await t.kms.revokeGrant({ keyId: keyArn, grantId })
    // the token is still one this KMS issued: refused for want of a grant, not as a bad token
    await refused(
      bob.encrypt({ keyId: keyArn, plaintext: bytes('x'), grantTokens }),
      'AccessDeniedException',
    )
    await t.kms.encrypt({ keyId: keyArn, plaintext: bytes('x'), grantTokens })
  })

  void test('a token another keystore issued is not valid here; refusals are audited', async () => {
    const other = openTestKms()
    try {
      const otherKey = (await other.kms.createKey({})).keyMetadata.arn
      const foreign = await other.kms.createGrant({
        keyId: otherKey,
        granteePrincipal: BOB.principal,
        operations: ['Encrypt'],
      })
      await refused(
        t.kms.encrypt({ keyId: keyArn, plaintext: bytes('x'), grantTokens: [foreign.grantToken] }),
        'InvalidGrantTokenException',
      )
      await refused(
        t.kms.retireGrant({ grantToken: foreign.grantToken }),
        'InvalidGrantTokenException',
      )
      const last = [...t.audit.query({ operation: 'Encrypt', newestFirst: true, limit: 1 })][0]!
      assert.equal(last.outcome, 'InvalidGrantTokenException')
    } finally {
      other.close()
    }
  })

  void test('a token issued before tokens were sealed (stored with its grant) still works', async () => {
    const { grantId } = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: BOB.principal,
      operations: ['Encrypt'],
      retiringPrincipal: BOB.principal,
    })
    const stored = 'ab'.repeat(48)
    t.keystore.db.prepare(`UPDATE kms_grants SET token = ? WHERE grant_id = ?`).run(stored, grantId)
    await bob.encrypt({ keyId: keyArn, plaintext: bytes('x'), grantTokens: [stored] })
    await bob.retireGrant({ grantToken: stored })
    assert.equal((await t.kms.listGrants({ keyId: keyArn, grantId })).grants.length, 0)
    await refused(
      t.kms.encrypt({ keyId: keyArn, plaintext: bytes('x'), grantTokens: [stored] }),
      'InvalidGrantTokenException',
    )
  })

  void test('every grant call is audited, with the key it names', async () => {
    const before = [...t.audit.query({ operation: 'CreateGrant' })].length
    const { grantToken } = await t.kms.createGrant({
      keyId: keyArn,
      granteePrincipal: BOB.principal,
      operations: ['Encrypt'],
      retiringPrincipal: BOB.principal,
    })
    await bob.retireGrant({ grantToken })
    const created = [...t.audit.query({ operation: 'CreateGrant' })]
    assert.equal(created.length, before + 1)
    assert.equal(created.at(-1)!.keyArn, keyArn)
    assert.equal(created.at(-1)!.principal, ALICE.principal)
    const retired = [...t.audit.query({ operation: 'RetireGrant' })].at(-1)!
    assert.equal(retired.principal, BOB.principal)
    assert.equal(retired.keyArn, keyArn)
    assert.equal(retired.outcome, 'ok')
  })
})
