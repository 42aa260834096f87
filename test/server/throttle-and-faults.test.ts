import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { isSealboxError } from '../../src/errors/index.js'
import { AwsKms } from '../../src/kms/aws/index.js'
import { FAULT_TYPES, seededRandom, type FaultType } from '../../src/server/index.js'
import { rawRequest } from './support/raw-request.js'
import { ACCOUNT, REGION, startTestServer, type TestServer } from './support/test-server.js'
import { runCli, startServe, tempHome } from './support/cli.js'

const bytes = (text: string) => new TextEncoder().encode(text)

/** Draws for a server's fault injection: these first, then 0.99 (no fault) for ever. */
function draws(...first: number[]): () => number {
  return () => first.shift() ?? 0.99
}

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

  const statuses: Record<FaultType, number> = {
    KMSInternalException: 500,
    DependencyTimeoutException: 503,
    KeyUnavailableException: 500,
    ThrottlingException: 400,
  }

  void test('--fault-types: each injected error has its AWS status and __type, and is audited', async () => {
    for (const type of FAULT_TYPES) {
      const t = await startTestServer({ faults: { rate: 1, types: [type] } })
      const c = await clientOf(t)
      open.push({ t, c })
      const p = t.principals.create('raw-caller', ACCOUNT)
      const res = await rawRequest({
        endpoint: t.url,
        region: REGION,
        credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey },
        target: 'TrentService.Encrypt',
        body: JSON.stringify({ KeyId: 'alias/none', Plaintext: 'eA==' }),
      })
      assert.equal(res.status, statuses[type], type)
      const body = JSON.parse(res.text) as { __type: string; message: string }
      assert.equal(body.__type, type)
      assert.match(body.message, /injected fault/)
      assert.deepEqual(
        [...t.audit.query({ outcome: type })].map((e) => [e.operation, e.principal]),
        [['Encrypt', p.arn]],
      )
      assert.equal(t.reached.length, 0, `${type} never reaches the KMS`)
    }
  })

  for (const type of FAULT_TYPES) {
    void test(`the AWS SDK retries through an injected ${type}`, async () => {
      // CreateKey passes; Encrypt's first two attempts fault, its third gets through
      const t = await startTestServer({
        faults: { rate: 0.5, types: [type], random: draws(0.9, 0.1, 0.1) },
      })
      const c = await clientOf(t, 3)
      open.push({ t, c })
      const keyId = (await c.port.createKey({})).keyMetadata.keyId
      const out = await c.port.encrypt({ keyId, plaintext: bytes('x') })
      assert.ok(out.ciphertextBlob.length > 0)
      assert.deepEqual(
        [...t.audit.query({ outcome: type })].map((e) => e.operation),
        ['Encrypt', 'Encrypt'],
      )
      assert.deepEqual(t.internalErrors, [])
    })
  }

  void test('with one attempt, the client sees the injected error under its own name', async () => {
    const t = await startTestServer({
      faults: { rate: 1, types: ['KeyUnavailableException'], random: draws() },
    })
    const c = await clientOf(t)
    open.push({ t, c })
    // DescribeKey and CreateKey use no key material: AWS never answers them KeyUnavailableException
    const keyId = (await c.port.createKey({})).keyMetadata.keyId
    await c.port.describeKey({ keyId })
    await assert.rejects(c.port.decrypt({ ciphertextBlob: bytes('not a blob') }), (e: unknown) =>
      isSealboxError(e, 'KeyUnavailableException'),
    )
  })

  void test('--latency delays answers to cryptographic requests', async () => {
    const t = await startTestServer({ faults: { latency: { min: 300, max: 300 } } })
    const c = await clientOf(t)
    open.push({ t, c })
    const keyId = (await c.port.createKey({})).keyMetadata.keyId
    const started = performance.now()
    await c.port.encrypt({ keyId, plaintext: bytes('x') })
    // timers may fire up to a millisecond early by performance.now()
    assert.ok(performance.now() - started >= 299, `${performance.now() - started} ms`)
  })

  void test('many delayed requests at once raise no listener-leak warning', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`)
    process.on('warning', onWarning)
    try {
      const t = await startTestServer({ faults: { latency: { min: 50, max: 50 } } })
      const c = await clientOf(t)
      open.push({ t, c })
      const answers = await Promise.all(
        Array.from({ length: 24 }, () => c.port.generateRandom({ numberOfBytes: 4 })),
      )
      assert.equal(answers.length, 24)
      // a warning is emitted on the next tick after the listener that caused it
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    assert.deepEqual(
      warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')),
      [],
    )
  })

  void test(
    'a server stopping cuts injected latency short and still answers',
    // the delay is about ten minutes: the timeout only ends the test if stopping waits it out
    { timeout: 120_000 },
    async () => {
      let delaying: () => void = () => {}
      const delayed = new Promise<void>((resolve) => (delaying = resolve))
      const t = await startTestServer({
        faults: {
          latency: { min: 590_000, max: 600_000 },
          random: () => {
            delaying()
            return 0.5
          },
        },
      })
      const c = await clientOf(t)
      const answer = c.port.generateRandom({ numberOfBytes: 8 })
      await delayed
      await t.server.close()
      assert.equal((await answer).plaintext?.length, 8)
      c.close()
      await t.close()
    },
  )

  void test('--fault-seed: the same requests in the same order meet the same faults', async () => {
    const run = async () => {
      const t = await startTestServer({
        faults: { rate: 0.4, types: FAULT_TYPES, random: seededRandom(2024) },
      })
      const c = await clientOf(t)
      open.push({ t, c })
      const outcomes: string[] = []
      for (let i = 0; i < 24; i++) {
        try {
          await c.port.generateRandom({ numberOfBytes: 4 })
          outcomes.push('ok')
        } catch (e) {
          outcomes.push((e as { code: string }).code)
        }
      }
      return outcomes
    }
    const first = await run()
    assert.deepEqual(await run(), first)
    assert.ok(first.includes('ok') && first.some((o) => o !== 'ok'), first.join(' '))
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
    const seeded = await startServe(home, [
      '--fault-rate',
      '0.2',
      '--fault-types',
      'DependencyTimeoutException,KeyUnavailableException,KMSInternalException',
      '--latency',
      '5-20',
      '--fault-seed',
      '42',
    ])
    await seeded.stop()
    const announced = seeded.stderr()
    assert.match(announced, /\(region [^,]+, 1 worker,/, 'a seed implies one worker')
    assert.match(
      announced,
      /warning: 20% of requests get an injected DependencyTimeoutException, KeyUnavailableException or KMSInternalException, each only on operations AWS can raise it from \(--fault-rate\)/,
    )
    assert.match(
      announced,
      /warning: answers to cryptographic requests are delayed 5-20 ms \(--latency\)/,
    )
    assert.match(announced, /drawn from seed 42/)
    for (const [args, message] of [
      [['--throttle', '0'], /--throttle/],
      [['--throttle', 'fast'], /--throttle/],
      [['--fault-rate', '2'], /--fault-rate/],
      [['--fault-rate', '-0.1'], /--fault-rate/],
      [['--fault-rate', 'half'], /--fault-rate/],
      [['--fault-rate', ''], /--fault-rate/],
      [
        ['--fault-rate', '0.1', '--fault-types', 'KMSInternalException,Boom'],
        /--fault-types .*'Boom' is not one/,
      ],
      [['--fault-rate', '0.1', '--fault-types', ''], /--fault-types .*'' is not one/],
      [['--fault-types', 'KMSInternalException'], /--fault-types needs --fault-rate/],
      [['--latency', 'slow'], /--latency must be milliseconds/],
      [['--latency', '300-100'], /--latency must be/],
      [['--latency', '1.5'], /--latency must be/],
      [['--latency', '600001'], /--latency must be .* up to 600000/],
      [['--fault-seed', '7'], /--fault-seed needs --fault-rate or --latency/],
      [['--fault-rate', '0.1', '--fault-seed', 'x'], /--fault-seed must be a whole number/],
      [['--fault-rate', '0.1', '--fault-seed', '4294967296'], /--fault-seed must be/],
      [
        ['--fault-rate', '0.1', '--fault-seed', '7', '--workers', '2'],
        /--fault-seed needs a single worker/,
      ],
    ] as const) {
      const r = runCli(home, ['serve', '--port', '0', ...args])
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, message)
    }
  })
})
