import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { isSealboxError } from '../../src/errors/index.js'
import { AwsKms } from '../../src/kms/aws/index.js'
import { keyPolicyFor } from '../../src/kms/local/index.js'
import type { KmsPort } from '../../src/kms/types/index.js'
import type { Principal } from '../../src/principals/index.js'
import { ACCOUNT, REGION, startTestServer, type TestServer } from './support/test-server.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const denied = (e: unknown) => isSealboxError(e, 'AccessDeniedException')

void describe('key policies over HTTP, for the principal that signed', () => {
  let t: TestServer
  let admin: Principal
  let user: Principal
  const clients: AwsKms[] = []
  let asAdmin: KmsPort
  let asUser: KmsPort
  let keyId: string

  const client = (p: Principal): KmsPort => {
    const c = new AwsKms({
      endpoint: t.url,
      region: REGION,
      credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey },
      maxAttempts: 1,
    })
    clients.push(c)
    return c.port
  }

  before(async () => {
    t = await startTestServer()
    admin = t.principals.create('key-admin', ACCOUNT)
    user = t.principals.create('key-user', ACCOUNT)
    asAdmin = client(admin)
    asUser = client(user)
    const policy = keyPolicyFor({ accountId: ACCOUNT, admins: [admin.arn], users: [user.arn] })
    keyId = (await asAdmin.createKey({ policy, description: 'separated duties' })).keyMetadata.keyId
  })
  after(async () => {
    for (const c of clients) c.close()
    await t.close()
  })

  void test('the key user encrypts and decrypts, but cannot schedule deletion', async () => {
    const ct = await asUser.encrypt({
      keyId,
      plaintext: bytes('payroll'),
      encryptionContext: { Record: 'User/1' },
    })
    const pt = await asUser.decrypt({
      ciphertextBlob: ct.ciphertextBlob,
      encryptionContext: { Record: 'User/1' },
    })
    assert.deepEqual(pt.plaintext, bytes('payroll'))
    const dk = await asUser.generateDataKey({ keyId, keySpec: 'AES_256' })
    assert.equal(dk.plaintext.length, 32)
    await assert.rejects(asUser.scheduleKeyDeletion({ keyId, pendingWindowInDays: 7 }), (e) => {
      assert.ok(denied(e), String(e))
      assert.match(
        (e as Error).message,
        /key-user is not authorized to perform: kms:ScheduleKeyDeletion/,
      )
      return true
    })
    await assert.rejects(asUser.disableKey({ keyId }), denied)
    // nor hand itself more
    const grab = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: user.arn }, Action: 'kms:*', Resource: '*' },
      ],
    })
    await assert.rejects(
      asUser.putKeyPolicy({ keyId, policy: grab, bypassPolicyLockoutSafetyCheck: true }),
      denied,
    )
  })

  void test('the key administrator schedules deletion, but cannot decrypt or encrypt', async () => {
    const ct = await asUser.encrypt({ keyId, plaintext: bytes('not for admins') })
    await assert.rejects(asAdmin.decrypt({ ciphertextBlob: ct.ciphertextBlob }), (e) => {
      assert.ok(denied(e), String(e))
      assert.match((e as Error).message, /key-admin is not authorized to perform: kms:Decrypt/)
      return true
    })
    await assert.rejects(asAdmin.encrypt({ keyId, plaintext: bytes('x') }), denied)
    await assert.rejects(asAdmin.generateDataKey({ keyId, keySpec: 'AES_256' }), denied)
    const scheduled = await asAdmin.scheduleKeyDeletion({ keyId, pendingWindowInDays: 7 })
    assert.equal(scheduled.keyState, 'PendingDeletion')
    await asAdmin.cancelKeyDeletion({ keyId })
    await asAdmin.enableKey({ keyId })
    assert.equal((await asAdmin.describeKey({ keyId })).keyMetadata.keyState, 'Enabled')
  })

  void test('a condition on kms:EncryptionContext:Record is enforced', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'admins',
          Effect: 'Allow',
          Principal: { AWS: admin.arn },
          Action: [
            'kms:Describe*',
            'kms:Put*',
            'kms:Get*',
            'kms:ScheduleKeyDeletion',
            'kms:CancelKeyDeletion',
          ],
          Resource: '*',
        },
        {
          Sid: 'one record only',
          Effect: 'Allow',
          Principal: { AWS: user.arn },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:EncryptionContext:Record': 'User/123' } },
        },
      ],
    })
    await asAdmin.putKeyPolicy({ keyId, policyName: 'default', policy })
    const ct = await asUser.encrypt({
      keyId,
      plaintext: bytes('row 123'),
      encryptionContext: { Record: 'User/123' },
    })
    assert.deepEqual(
      (
        await asUser.decrypt({
          ciphertextBlob: ct.ciphertextBlob,
          encryptionContext: { Record: 'User/123' },
        })
      ).plaintext,
      bytes('row 123'),
    )
    await assert.rejects(
      asUser.encrypt({
        keyId,
        plaintext: bytes('row 124'),
        encryptionContext: { Record: 'User/124' },
      }),
      denied,
    )
    await assert.rejects(asUser.encrypt({ keyId, plaintext: bytes('no context') }), denied)
    await assert.rejects(
      asUser.generateDataKey({
        keyId,
        keySpec: 'AES_256',
        encryptionContext: { Record: 'user/123' },
      }),
      denied,
    )
    // the context of a decrypt is the one the caller claims: a ciphertext bound to User/123
    // cannot be opened by claiming another record, nor by omitting it
    await assert.rejects(asUser.decrypt({ ciphertextBlob: ct.ciphertextBlob }), denied)
  })

  void test('a grant lets a principal the policy does not name use the key, for one context', async () => {
    const app = t.principals.create('grant-app', ACCOUNT)
    const asApp = client(app)
    const policy = keyPolicyFor({ accountId: ACCOUNT, admins: [admin.arn], users: [user.arn] })
    const keyId = (await asAdmin.createKey({ policy })).keyMetadata.keyId
    await assert.rejects(asApp.encrypt({ keyId, plaintext: bytes('x') }), denied)
    // key users are not given CreateGrant; key administrators are (kms:Create*)
    await assert.rejects(
      asUser.createGrant({ keyId, granteePrincipal: app.arn, operations: ['Encrypt'] }),
      denied,
    )
    const { grantId } = await asAdmin.createGrant({
      keyId,
      granteePrincipal: app.arn,
      operations: ['Encrypt', 'Decrypt'],
      constraints: { encryptionContextSubset: { Record: 'App/1' } },
    })
    const ct = await asApp.encrypt({
      keyId,
      plaintext: bytes('granted'),
      encryptionContext: { Record: 'App/1' },
    })
    const pt = await asApp.decrypt({
      ciphertextBlob: ct.ciphertextBlob,
      encryptionContext: { Record: 'App/1' },
    })
    assert.deepEqual(pt.plaintext, bytes('granted'))
    await assert.rejects(
      asApp.encrypt({ keyId, plaintext: bytes('x'), encryptionContext: { Record: 'App/2' } }),
      denied,
    )
    await asAdmin.revokeGrant({ keyId, grantId })
    await assert.rejects(
      asApp.encrypt({ keyId, plaintext: bytes('x'), encryptionContext: { Record: 'App/1' } }),
      denied,
    )
  })

  void test('every decision is audited under the signing principal', () => {
    const userDenied = [...t.audit.query({ principal: user.arn, outcome: 'AccessDeniedException' })]
    assert.ok(userDenied.some((e) => e.operation === 'ScheduleKeyDeletion'))
    assert.ok(
      userDenied.some(
        (e) => e.operation === 'Encrypt' && e.encryptionContext?.['Record'] === 'User/124',
      ),
    )
    const adminDenied = [
      ...t.audit.query({ principal: admin.arn, outcome: 'AccessDeniedException' }),
    ]
    assert.ok(adminDenied.some((e) => e.operation === 'Decrypt'))
    const allowed = [...t.audit.query({ principal: user.arn, outcome: 'ok', operation: 'Decrypt' })]
    assert.ok(allowed.length >= 2)
    for (const e of [...userDenied, ...adminDenied, ...allowed])
      assert.match(e.requestId, /^[0-9a-f-]{36}$/)
    assert.equal(t.audit.verify().ok, true)
    assert.deepEqual(t.internalErrors, [])
  })
})
