import assert from 'node:assert/strict'
import { Agent, request } from 'node:http'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { KMS_OPERATION_NAMES } from '../../src/kms/types/index.js'
import type { Principal } from '../../src/principals/index.js'
import { signRequest } from '../../src/server/index.js'
import { readAwsResponse } from './support/aws-response.js'
import { rawRequest } from './support/raw-request.js'
import { ACCOUNT, REGION, startTestServer, type TestServer } from './support/test-server.js'

const SEED = 20240501
const RUNS = 3000

interface Spec {
  target: string
  body: Uint8Array
  auth: 'good' | 'none' | 'garbage' | 'tamper' | 'wrong-secret'
  headers: Record<string, string>
  method: string
  path: string
}

const printable = fc.string({
  unit: fc.constantFrom(...' !"#$%&()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~'.split('')),
  maxLength: 60,
})

function validBodies(keyArn: string, ciphertext: string): Array<[string, Record<string, unknown>]> {
  return [
    ['Encrypt', { KeyId: keyArn, Plaintext: 'aGVsbG8=', EncryptionContext: { Record: 'User/1' } }],
    ['Decrypt', { CiphertextBlob: ciphertext, EncryptionContext: { Record: 'User/1' } }],
    ['GenerateDataKey', { KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: { a: 'b' } }],
    ['GenerateDataKeyWithoutPlaintext', { KeyId: keyArn, NumberOfBytes: 32 }],
    [
      'ReEncrypt',
      {
        CiphertextBlob: ciphertext,
        SourceEncryptionContext: { Record: 'User/1' },
        DestinationKeyId: keyArn,
      },
    ],
    ['DescribeKey', { KeyId: keyArn }],
    ['CreateAlias', { AliasName: 'alias/fuzz', TargetKeyId: keyArn }],
    ['ListAliases', { KeyId: keyArn, Limit: 5 }],
    ['ListKeys', { Limit: 2, Marker: 'x' }],
    ['TagResource', { KeyId: keyArn, Tags: [{ TagKey: 'k', TagValue: 'v' }] }],
    ['GetKeyPolicy', { KeyId: keyArn, PolicyName: 'default' }],
    ['GenerateRandom', { NumberOfBytes: 16 }],
    ['EnableKeyRotation', { KeyId: keyArn, RotationPeriodInDays: 365 }],
    [
      'ImportKeyMaterial',
      { KeyId: keyArn, ImportToken: 'AAAA', EncryptedKeyMaterial: 'AAAA', ValidTo: 1_900_000_000 },
    ],
    ['CreateKey', { Description: 'fuzz', Tags: [{ TagKey: 'a', TagValue: 'b' }] }],
  ]
}

/** JSON text that breaks a member: another type, a huge or deeply nested value, or junk. */
const badValue: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.constant('null'),
  fc.constant(JSON.stringify('A'.repeat(200_000))),
  fc.constant(JSON.stringify(Buffer.alloc(30_000).toString('base64'))),
  fc.constantFrom('-1', '1e308', '9007199254740993', '0.5', '"1"', 'true', '[]', '{}'),
  fc.constant('{"__proto__":{"polluted":true}}'),
  fc.nat(20_000).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.nat(20_000).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc
    .dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 })
    .map((d) => JSON.stringify(d)),
)

const SLOT = '"\u0000slot\u0000"'

function mutate(body: Record<string, unknown>): fc.Arbitrary<string> {
  const keys = Object.keys(body)
  return fc.oneof(
    // change one member
    fc
      .tuple(fc.constantFrom(...keys), badValue)
      .map(([k, v]) => JSON.stringify({ ...body, [k]: '\u0000slot\u0000' }).replace(SLOT, () => v)),
    // drop one member
    fc.constantFrom(...keys).map((k) => {
      const copy = { ...body }
      delete copy[k]
      return JSON.stringify(copy)
    }),
    // add a member that does not exist, or a __proto__ member
    fc
      .tuple(fc.string({ maxLength: 12 }), badValue)
      .map(([k, v]) => JSON.stringify(body).replace(/^\{/, () => `{${JSON.stringify(k)}:${v},`)),
    fc.constant(JSON.stringify(body).replace(/^\{/, '{"__proto__":{"isAdmin":true},')),
    // cut the JSON short, or flip one character
    fc.nat().map((n) => {
      const text = JSON.stringify(body)
      return text.slice(0, n % text.length)
    }),
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 127 })).map(([n, c]) => {
      const text = JSON.stringify(body)
      const i = n % text.length
      return text.slice(0, i) + String.fromCharCode(c) + text.slice(i + 1)
    }),
  )
}

function specs(keyArn: string, ciphertext: string): Spec[] {
  const valid = validBodies(keyArn, ciphertext)
  const targetAndBody = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .constantFrom(...valid)
        .chain(([op, body]) => mutate(body).map((text) => [`TrentService.${op}`, text] as const)),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom(...KMS_OPERATION_NAMES).map((op) => `TrentService.${op}`),
        fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.oneof(
          printable,
          printable.map((s) => `TrentService.${s}`),
        ),
        fc.string({ maxLength: 200 }),
      ),
    },
  )
  const bodyBytes = fc.oneof(
    {
      weight: 8,
      arbitrary: targetAndBody.map(([t, b]) => [t, new TextEncoder().encode(b)] as const),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom(...KMS_OPERATION_NAMES).map((op) => `TrentService.${op}`),
        fc.uint8Array({ maxLength: 3000 }),
      ),
    },
  )
  const spec: fc.Arbitrary<Spec> = fc
    .record({
      tb: bodyBytes,
      auth: fc.constantFrom<Spec['auth']>(
        'good',
        'good',
        'good',
        'good',
        'none',
        'garbage',
        'tamper',
        'wrong-secret',
      ),
      headers: fc.dictionary(
        fc.constantFrom(
          'X-Amz-Date',
          'Content-Type',
          'X-Amz-Security-Token',
          'X-Amz-Content-Sha256',
          'Date',
          'X-Extra',
        ),
        printable,
        { maxKeys: 2 },
      ),
      method: fc.constantFrom('POST', 'POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE'),
      path: fc.constantFrom('/', '/', '/', '/', '/?a=b', '/x', '//', '/%2e%2e/'),
    })
    .map(({ tb, ...rest }) => ({ ...rest, target: tb[0], body: tb[1] }))
  return fc.sample(spec, { seed: SEED, numRuns: RUNS })
}

void describe('fuzz: random and mutated requests never take the server down', () => {
  let t: TestServer
  let alice: Principal
  const agent = new Agent({ keepAlive: true, maxSockets: 8 })

  before(async () => {
    t = await startTestServer()
    alice = t.principals.create('alice', ACCOUNT)
  })
  after(async () => {
    agent.destroy()
    await t.close()
  })

  function send(spec: Spec): Promise<{
    status: number
    headers: Record<string, string | string[] | undefined>
    text: string
  }> {
    const port = t.server.port
    let headers: Record<string, string> = {
      Host: `127.0.0.1:${port}`,
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': spec.target,
    }
    if (spec.auth !== 'none' && spec.auth !== 'garbage') {
      const [path, query = ''] = spec.path.split('?', 2)
      headers = signRequest(
        { method: spec.method, path: path!, query, headers, body: spec.body },
        {
          accessKeyId: alice.accessKeyId,
          secretAccessKey: spec.auth === 'wrong-secret' ? 'wrong' : alice.secretAccessKey,
          region: REGION,
          service: 'kms',
          time: new Date(),
        },
      )
    }
    if (spec.auth === 'garbage')
      headers['Authorization'] = `AWS4-HMAC-SHA256 ${spec.headers['X-Extra'] ?? 'Credential=/,'}`
    Object.assign(headers, spec.headers)
    let body = spec.body
    if (spec.auth === 'tamper' && body.length > 0) {
      body = Uint8Array.from(body)
      body[body.length - 1]! ^= 0x01
    }
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: spec.method,
          path: spec.path,
          headers: { ...headers, 'Content-Length': String(body.length) },
          agent,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          )
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  }

  void test(`${RUNS} seeded requests: each a well-formed AWS answer, none a 5xx`, async () => {
    const kms = t.kmsFor(alice)
    const key = await kms.createKey({})
    const ct = await kms.encrypt({
      keyId: key.keyMetadata.keyId,
      plaintext: new Uint8Array([1]),
      encryptionContext: { Record: 'User/1' },
    })
    const all = specs(key.keyMetadata.arn, Buffer.from(ct.ciphertextBlob).toString('base64'))
    const statuses = new Map<number, number>()
    const types = new Map<string, number>()
    let next = 0
    const worker = async () => {
      while (next < all.length) {
        const spec = all[next++]!
        const res = await send(spec)
        assert.ok(
          res.status < 500,
          `${res.status} ${res.text} for ${spec.method} ${spec.path} ${spec.target} ${spec.auth}`,
        )
        const outcome = readAwsResponse(res)
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        const type = outcome.ok ? 'ok' : outcome.type
        types.set(type, (types.get(type) ?? 0) + 1)
      }
    }
    await Promise.all(Array.from({ length: 8 }, worker))
    // the generator reached every layer: signatures, the router, parsing, validation, the KMS
    for (const expected of [
      'ok',
      'InvalidSignatureException',
      'UnknownOperationException',
      'SerializationException',
      'ValidationException',
      'MissingAuthenticationToken',
      'IncompleteSignature',
    ]) {
      assert.ok(
        (types.get(expected) ?? 0) > 0,
        `no ${expected} among ${JSON.stringify([...types])}`,
      )
    }
    assert.deepEqual(t.internalErrors, [])
  })

  void test('garbage on the socket gets a 4xx or a closed connection, never a crash', async () => {
    const junk = fc.sample(
      fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 2000 }),
        fc.constant(
          new TextEncoder().encode(
            `POST / HTTP/1.1\r\nHost: x\r\n${'X-Long: '.concat('a'.repeat(20_000))}\r\n\r\n`,
          ),
        ),
        fc.constant(new TextEncoder().encode('POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n')),
        fc.constant(
          new TextEncoder().encode('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
        ),
        fc.constant(new TextEncoder().encode('GET /\u0000 HTTP/9.9\r\n\r\n')),
      ),
      { seed: SEED, numRuns: 200 },
    )
    for (const bytes of junk) {
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(t.server.port, '127.0.0.1')
        let text = ''
        socket.on('data', (c: Buffer) => (text += c.toString('latin1')))
        socket.on('error', () => resolve(text))
        socket.on('close', () => resolve(text))
        socket.setTimeout(2000, () => socket.destroy())
        socket.end(bytes)
      })
      if (answer !== '') assert.match(answer, /^HTTP\/1\.1 4\d\d /, answer.slice(0, 200))
    }
  })

  void test('a body over 1 MiB is refused with 413, declared or chunked', async () => {
    const big = new Uint8Array(1024 * 1024 + 1).fill(0x20)
    const declared = await rawRequest({
      endpoint: t.url,
      region: REGION,
      credentials: { accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey },
      target: 'TrentService.Encrypt',
      body: big,
    })
    assert.equal(declared.status, 413)
    assert.equal(readAwsResponse(declared).ok, false)
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: t.server.port,
          method: 'POST',
          path: '/',
          headers: { 'X-Amz-Target': 'TrentService.Encrypt', 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          res.resume()
          resolve(res.statusCode!)
        },
      )
      req.on('error', (e: NodeJS.ErrnoException) =>
        e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e),
      )
      for (let i = 0; i < 40; i++) req.write(new Uint8Array(64 * 1024))
      req.end()
    })
    assert.equal(chunked, 413)
  })

  void test('afterwards the server still answers, and the audit chain is intact', async () => {
    const res = await rawRequest({
      endpoint: t.url,
      region: REGION,
      credentials: { accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey },
      target: 'TrentService.GenerateRandom',
      body: '{"NumberOfBytes":32}',
    })
    const outcome = readAwsResponse(res)
    assert.ok(outcome.ok)
    assert.equal(t.audit.verify().ok, true)
    assert.deepEqual(t.internalErrors, [])
  })
})
