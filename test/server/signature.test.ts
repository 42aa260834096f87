import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { isSealboxError } from '../../src/errors/index.js'
import { AwsKms } from '../../src/kms/aws/index.js'
import type { Principal } from '../../src/principals/index.js'
import { readAwsResponse } from './support/aws-response.js'
import { rawRequest, type RawRequestOptions } from './support/raw-request.js'
import { ACCOUNT, REGION, startTestServer, type TestServer } from './support/test-server.js'

void describe('SigV4 over HTTP: refusals never reach the keystore and are audited', () => {
  let t: TestServer
  let alice: Principal
  let keyId: string

  before(async () => {
    t = await startTestServer()
    alice = t.principals.create('alice', ACCOUNT)
    keyId = (await t.kmsFor(alice).createKey({})).keyMetadata.keyId
  })
  after(() => t.close())

  // A destructive call, so that reaching the KMS would also show in the key's state.
  const schedule = (): Omit<RawRequestOptions, 'endpoint'> => ({
    region: REGION,
    credentials: { accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey },
    target: 'TrentService.ScheduleKeyDeletion',
    body: JSON.stringify({ KeyId: keyId, PendingWindowInDays: 7 }),
  })

  const cases: Array<{
    name: string
    request: () => Omit<RawRequestOptions, 'endpoint'>
    type: string
    status: number
    message: RegExp
    principal: () => string
  }> = [
    {
      name: 'wrong secret',
      request: () => ({
        ...schedule(),
        credentials: { accessKeyId: alice.accessKeyId, secretAccessKey: 'wrong' },
      }),
      type: 'InvalidSignatureException',
      status: 400,
      message: /^The request signature we calculated does not match the signature you provided\./,
      principal: () => alice.arn,
    },
    {
      name: 'unknown access key',
      request: () => ({
        ...schedule(),
        credentials: { accessKeyId: 'AKIANOBODYNOBODYNOBO', secretAccessKey: 'x' },
      }),
      type: 'UnrecognizedClientException',
      status: 400,
      message: /^The security token included in the request is invalid\.$/,
      principal: () => 'AKIANOBODYNOBODYNOBO',
    },
    {
      name: 'missing Authorization header',
      request: () => {
        const unsigned = schedule()
        delete unsigned.credentials
        return unsigned
      },
      type: 'MissingAuthenticationToken',
      status: 403,
      message: /^Missing Authentication Token$/,
      principal: () => 'anonymous',
    },
    {
      name: 'tampered body',
      request: () => ({
        ...schedule(),
        afterSigning: (headers, body) => ({
          headers,
          body: new TextEncoder().encode(
            new TextDecoder()
              .decode(body)
              .replace('"PendingWindowInDays":7', '"PendingWindowInDays":8'),
          ),
        }),
      }),
      type: 'InvalidSignatureException',
      status: 400,
      message: /does not match the signature you provided/,
      principal: () => alice.arn,
    },
    {
      name: 'expired signing time (20 minutes ago)',
      request: () => ({ ...schedule(), time: new Date(Date.now() - 20 * 60 * 1000) }),
      type: 'InvalidSignatureException',
      status: 400,
      message:
        /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
      principal: () => alice.arn,
    },
    {
      name: 'signing time 20 minutes ahead',
      request: () => ({ ...schedule(), time: new Date(Date.now() + 20 * 60 * 1000) }),
      type: 'InvalidSignatureException',
      status: 400,
      message: /^Signature not yet current: /,
      principal: () => alice.arn,
    },
    {
      name: 'credential scoped to another region',
      request: () => ({ ...schedule(), region: 'eu-west-1' }),
      type: 'InvalidSignatureException',
      status: 400,
      message: /Credential should be scoped to a valid region, not 'eu-west-1'/,
      principal: () => alice.accessKeyId,
    },
    {
      name: 'session token sealbox never issued',
      request: () => ({ ...schedule(), headers: { 'X-Amz-Security-Token': 'IQoJb3JpZ2luX2VjE' } }),
      type: 'UnrecognizedClientException',
      status: 400,
      message: /security token included in the request is invalid/,
      principal: () => alice.arn,
    },
  ]

  for (const c of cases) {
    void test(`${c.name}: ${c.type}, audited, the KMS not reached`, async () => {
      const reachedBefore = t.reached.length
      const res = await rawRequest({ endpoint: t.url, ...c.request() })
      assert.equal(res.status, c.status)
      const outcome = readAwsResponse(res)
      assert.ok(!outcome.ok)
      assert.equal(outcome.type, c.type)
      assert.match(outcome.message, c.message)
      assert.equal(t.reached.length, reachedBefore, 'the KMS was not called')
      const events = t.eventsFor(String(res.headers['x-amzn-requestid']))
      assert.equal(events.length, 1, 'exactly one audit event: the refusal')
      assert.equal(events[0]!.outcome, c.type)
      assert.equal(events[0]!.operation, 'ScheduleKeyDeletion')
      assert.ok(
        events[0]!.principal.startsWith(c.principal()),
        `${events[0]!.principal} names ${c.principal()}`,
      )
      assert.equal(events[0]!.keyArn, undefined)
    })
  }

  void test('after every refusal the key is untouched and the audit chain verifies', async () => {
    assert.equal((await t.kmsFor(alice).describeKey({ keyId })).keyMetadata.keyState, 'Enabled')
    assert.deepEqual(t.audit.verify().ok, true)
    assert.deepEqual(t.internalErrors, [])
  })

  void test('a correctly signed request does reach the KMS as the verified principal', async () => {
    const res = await rawRequest({ endpoint: t.url, ...schedule() })
    const outcome = readAwsResponse(res)
    assert.ok(outcome.ok)
    assert.equal(outcome.body['KeyState'], 'PendingDeletion')
    const events = t.eventsFor(String(res.headers['x-amzn-requestid']))
    assert.equal(events.length, 1)
    assert.equal(events[0]!.outcome, 'ok')
    assert.equal(events[0]!.principal, alice.arn)
    assert.equal(t.reached.at(-1)!.principal, alice.arn)
    await t.kmsFor(alice).cancelKeyDeletion({ keyId })
    await t.kmsFor(alice).enableKey({ keyId })
  })

  void test('through the AWS SDK: a wrong secret and an unknown key fail with the AWS error names', async () => {
    const sdk = (accessKeyId: string, secretAccessKey: string) =>
      new AwsKms({
        endpoint: t.url,
        region: REGION,
        credentials: { accessKeyId, secretAccessKey },
        maxAttempts: 1,
      })
    const wrong = sdk(alice.accessKeyId, 'not-the-secret')
    const unknown = sdk('AKIANOBODYNOBODYNOBO', 'whatever')
    const good = sdk(alice.accessKeyId, alice.secretAccessKey)
    try {
      await assert.rejects(wrong.port.listKeys({}), (e) =>
        isSealboxError(e, 'InvalidSignatureException'),
      )
      await assert.rejects(unknown.port.listKeys({}), (e) =>
        isSealboxError(e, 'UnrecognizedClientException'),
      )
      assert.ok((await good.port.listKeys({})).keys.some((k) => k.keyId === keyId))
    } finally {
      wrong.close()
      unknown.close()
      good.close()
    }
  })

  void test('a removed principal is refused on its next request', async () => {
    const bob = t.principals.create('bob', ACCOUNT)
    const request = {
      endpoint: t.url,
      region: REGION,
      credentials: { accessKeyId: bob.accessKeyId, secretAccessKey: bob.secretAccessKey },
      target: 'TrentService.ListKeys',
      body: '{}',
    }
    assert.equal((await rawRequest(request)).status, 200)
    t.principals.remove('bob')
    const refused = readAwsResponse(await rawRequest(request))
    assert.ok(!refused.ok)
    assert.equal(refused.type, 'UnrecognizedClientException')
  })
})
