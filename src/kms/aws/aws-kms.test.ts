import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { isSealboxError } from '../../errors/index.js'
import { fromAwsError } from './aws-error.js'
import { AwsKms } from './index.js'
import { fromSdk, toSdk } from './sdk-shape.js'

void test('port names become SDK names and back; bytes, dates and contexts are untouched', () => {
  const input = {
    keyId: 'alias/a',
    plaintext: Uint8Array.of(1, 2),
    encryptionContext: { lower: 'v', Upper: 'W' },
    tags: [{ tagKey: 'k', tagValue: 'v' }],
    validTo: new Date(5000),
  }
  assert.deepEqual(toSdk(input), {
    KeyId: 'alias/a',
    Plaintext: Uint8Array.of(1, 2),
    EncryptionContext: { lower: 'v', Upper: 'W' },
    Tags: [{ TagKey: 'k', TagValue: 'v' }],
    ValidTo: new Date(5000),
  })
  assert.deepEqual(
    fromSdk({
      $metadata: { httpStatusCode: 200 },
      KeyMetadata: { AWSAccountId: '1', CreationDate: new Date(1) },
    }),
    { keyMetadata: { awsAccountId: '1', creationDate: new Date(1) } },
  )
})

void test('SDK errors keep their AWS code names; other names and failures are mapped', () => {
  const named = (name: string, message = 'm') => Object.assign(new Error(message), { name })
  assert.ok(isSealboxError(fromAwsError(named('NotFoundException'), 'e'), 'NotFoundException'))
  assert.ok(
    isSealboxError(fromAwsError(named('InvalidClientTokenId'), 'e'), 'UnrecognizedClientException'),
  )
  const empty = fromAwsError(named('InvalidCiphertextException', ''), 'e')
  assert.equal(empty.code, 'InvalidCiphertextException')
  assert.match(empty.message, /InvalidCiphertextException/)
  const credentials = fromAwsError(
    named('CredentialsProviderError', 'Could not load credentials'),
    'e',
  )
  assert.equal(credentials.code, 'ConfigInvalid')
  assert.ok(credentials.hint)
  const refused = fromAwsError(
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    'http://127.0.0.1:1',
  )
  assert.equal(refused.code, 'IoError')
  assert.match(refused.message, /127\.0\.0\.1:1/)
  const teapot = fromAwsError(
    Object.assign(named('Weird'), { $metadata: { httpStatusCode: 418 } }),
    'e',
  )
  assert.equal(teapot.code, 'ValidationException')
})

void test('requests go to the configured endpoint as signed AWS JSON 1.1', async () => {
  const seen: Array<{ target: string; auth: string; body: string; type: string }> = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      seen.push({
        target: String(req.headers['x-amz-target']),
        auth: String(req.headers['authorization']),
        type: String(req.headers['content-type']),
        body,
      })
      res.setHeader('Content-Type', 'application/x-amz-json-1.1')
      res.setHeader('x-amzn-RequestId', 'r')
      if (seen.length === 1) {
        res.end(JSON.stringify({ Plaintext: 'AAEC' }))
      } else {
        res.statusCode = 400
        res.end(JSON.stringify({ __type: 'NotFoundException', message: "Key 'x' does not exist" }))
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const kms = new AwsKms({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIATESTTESTTESTTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
  })
  try {
    assert.deepEqual(await kms.port.generateRandom({ numberOfBytes: 3 }), {
      plaintext: Uint8Array.of(0, 1, 2),
    })
    await assert.rejects(
      kms.port.describeKey({ keyId: 'x' }),
      (e) => isSealboxError(e, 'NotFoundException') && /does not exist/.test(e.message),
    )
    assert.equal(seen[0]!.target, 'TrentService.GenerateRandom')
    assert.equal(seen[0]!.type, 'application/x-amz-json-1.1')
    assert.deepEqual(JSON.parse(seen[0]!.body), { NumberOfBytes: 3 })
    assert.match(
      seen[0]!.auth,
      /^AWS4-HMAC-SHA256 Credential=AKIATESTTESTTESTTEST\/\d{8}\/eu-west-1\/kms\/aws4_request/,
    )
  } finally {
    kms.close()
    server.close()
  }
})
