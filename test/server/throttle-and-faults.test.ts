import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { isSealboxError } from '../../src/errors/index.js'
import { AwsKms } from '../../src/kms/aws/index.js'
import { ACCOUNT, REGION, startTestServer, type TestServer } from './support/test-server.js'
import { runCli, startServe, tempHome } from './support/cli.js'

const bytes = (text: string) => new TextEncoder().encode(text)

async function clientOf(t: TestServer, maxAttempts = 1): Promise<AwsKms> {
  const p = t.principals.create(`caller-${Math.random().toString(36).slice(2, 8)}`, ACCOUNT)
  return new AwsKms({
    endpoint: t.url,
    region: REGION,
    credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey },
    maxAttempts,
  })
}

void describe('sealbox serve: a request quota and injected faults, for testing clients', () => {
  const open: Array<{ t: TestServer; c: AwsKms }> = []
  after(async () => {
    for (const { t, c } of open) {
      c.close()
      await t.close()
    }
  })

  void test('past the cryptographic quota: ThrottlingException (400), audited; management calls go on', async () => {
    const t = await startTestServer({ cryptoRequestsPerSecond: 5 })
    const c = await clientOf(t)
    open.push({ t, c })
    const { keyMetadata } = await c.port.createKey({})
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        c.port.encrypt({ keyId: keyMetadata.keyId, plaintext: bytes('x') }),
      ),
    )
    const throttled = results.filter(
      (r) => r.status === 'rejected' && isSealboxError(r.reason, 'ThrottlingException'),
    )
    // five tokens at the start; a sixth may refill (one per 200 ms) on a slow machine
    const passed = results.filter((r) => r.status === 'fulfilled').length
    assert.ok(passed === 5 || passed === 6, `${passed} of 8 admitted`)
    assert.equal(throttled.length, 8 - passed)
    assert.match(String((throttled[0] as PromiseRejectedResult).reason), /Rate exceeded/)
    // DescribeKey is not a cryptographic operation
    assert.equal(
      (await c.port.describeKey({ keyId: keyMetadata.keyId })).keyMetadata.keyState,
      'Enabled',
    )
    assert.equal([...t.audit.query({ outcome: 'ThrottlingException' })].length, throttled.length)
    assert.deepEqual(t.internalErrors, [])
  })

  void test('the SDK retries a throttled request and gets through once the quota refills', async () => {
    const t = await startTestServer({ cryptoRequestsPerSecond: 2 })
    const c = await clientOf(t, 10)
    open.push({ t, c })
    const { keyMetadata } = await c.port.createKey({})
    for (let i = 0; i < 4; i++)
      await c.port.encrypt({ keyId: keyMetadata.keyId, plaintext: bytes(`n${i}`) })
    assert.ok([...t.audit.query({ outcome: 'ThrottlingException' })].length >= 1)
  })

  void test('--fault-rate: a share of requests answered 500 KMSInternalException without reaching a key', async () => {
    const draws = [0.9, 0.1, 0.9, 0.1]
    let i = 0
    const t = await startTestServer({
      faults: { rate: 0.5, random: () => draws[i++ % draws.length]! },
    })
    const c = await clientOf(t)
    open.push({ t, c })
    const keyId = (await c.port.createKey({})).keyMetadata.keyId // draw 0.9: passes
    await assert.rejects(c.port.encrypt({ keyId, plaintext: bytes('x') }), (e: unknown) => {
      assert.ok(isSealboxError(e, 'KMSInternalException'), String(e))
      assert.match((e as Error).message, /injected fault/)
      return true
    })
    await c.port.encrypt({ keyId, plaintext: bytes('x') }) // 0.9: passes
    const reachedBefore = t.reached.length
    await assert.rejects(c.port.describeKey({ keyId }), (e: unknown) =>
      isSealboxError(e, 'KMSInternalException'),
    )
    assert.equal(t.reached.length, reachedBefore, 'an injected fault never reaches the KMS')
    const faults = [...t.audit.query({ outcome: 'KMSInternalException' })]
    assert.deepEqual(
      faults.map((e) => e.operation),
      ['Encrypt', 'DescribeKey'],
    )
    assert.deepEqual(t.internalErrors, [], 'an injected fault is not a failure of the server')
  })

  void test('the flags are checked and announced', async () => {
    const home = tempHome()
    const serve = await startServe(home, [
      '--workers',
      '1',
      '--throttle',
      '100',
      '--fault-rate',
      '0.01',
    ])
    await serve.stop()
    assert.match(serve.stderr(), /above 100 a second get ThrottlingException/)
    assert.match(serve.stderr(), /warning: 1% of requests get an injected KMSInternalException/)
    for (const [flag, value] of [
      ['--throttle', '0'],
      ['--throttle', 'fast'],
      ['--fault-rate', '2'],
      ['--fault-rate', '-0.1'],
      ['--fault-rate', 'half'],
      ['--fault-rate', ''],
    ] as const) {
      const r = runCli(home, ['serve', '--port', '0', flag, value])
      assert.equal(r.status, 2, `${flag} ${value}: ${r.stderr}`)
      assert.match(r.stderr, new RegExp(flag))
    }
  })
})
