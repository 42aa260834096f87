import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ManualClock } from '../clock/index.js'
import { hmac, sha256 } from '../crypto/index.js'
import type { PrincipalCredentials } from './principal-directory.js'
import { SigV4Verifier } from './sigv4-verifier.js'
import {
  canonicalQuery,
  canonicalRequest,
  hex,
  signRequest,
  signingKey,
  stringToSign,
  type SignableRequest,
} from './sigv4.js'

const SUITE = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 'service',
  time: new Date('2015-08-30T12:36:00Z'),
}
const EMPTY = new Uint8Array(0)

void describe('signing, against the AWS SigV4 test suite', () => {
  void test('get-vanilla', () => {
    const headers = signRequest(
      {
        method: 'GET',
        path: '/',
        query: '',
        headers: { Host: 'example.amazonaws.com' },
        body: EMPTY,
      },
      SUITE,
    )
    assert.equal(
      headers['Authorization'],
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    )
    assert.equal(headers['X-Amz-Date'], '20150830T123600Z')
  })

  void test('get-vanilla-query-order-key-case', () => {
    assert.equal(canonicalQuery('Param2=value2&Param1=value1'), 'Param1=value1&Param2=value2')
    const headers = signRequest(
      {
        method: 'GET',
        path: '/',
        query: 'Param2=value2&Param1=value1',
        headers: { Host: 'example.amazonaws.com' },
        body: EMPTY,
      },
      SUITE,
    )
    assert.match(
      headers['Authorization']!,
      /Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/,
    )
  })
})

const ALICE: PrincipalCredentials = {
  accessKeyId: 'AKIAALICEALICEALICE0',
  secretAccessKey: 'alice-secret-alice-secret-alice-secret00',
  arn: 'arn:aws:iam::111122223333:user/alice',
  accountId: '111122223333',
}

function setup(now = new Date('2024-05-01T10:00:00Z')) {
  const clock = new ManualClock(now)
  const directory = new Map([[ALICE.accessKeyId, ALICE]])
  const verifier = new SigV4Verifier({
    region: 'eu-west-1',
    service: 'kms',
    clock,
    principals: { findByAccessKeyId: (id) => directory.get(id) },
  })
  return { clock, verifier, directory }
}

function kmsRequest(
  opts: Partial<{
    secret: string
    accessKeyId: string
    time: Date
    region: string
    body: string
    signedHeaders: string[]
  }> = {},
): SignableRequest {
  const body = new TextEncoder().encode(opts.body ?? '{"KeyId":"alias/a"}')
  const request = {
    method: 'POST',
    path: '/',
    query: '',
    headers: {
      Host: '127.0.0.1:4599',
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'TrentService.DescribeKey',
    },
    body,
  }
  const headers = signRequest(request, {
    accessKeyId: opts.accessKeyId ?? ALICE.accessKeyId,
    secretAccessKey: opts.secret ?? ALICE.secretAccessKey,
    region: opts.region ?? 'eu-west-1',
    service: 'kms',
    time: opts.time ?? new Date('2024-05-01T10:00:00Z'),
    ...(opts.signedHeaders === undefined ? {} : { signedHeaders: opts.signedHeaders }),
  })
  return { ...request, headers: Object.entries(headers) }
}

function withHeader(
  request: SignableRequest,
  name: string,
  value: string | undefined,
): SignableRequest {
  const headers = request.headers.filter(([n]) => n.toLowerCase() !== name.toLowerCase())
  return { ...request, headers: value === undefined ? headers : [...headers, [name, value]] }
}

void describe('verifying', () => {
  void test('a correctly signed request names its principal', () => {
    const { verifier } = setup()
    const result = verifier.verify(kmsRequest())
    assert.deepEqual(result, { ok: true, principal: ALICE })
  })

  void test('header names are case-insensitive', () => {
    const { verifier } = setup()
    const request = kmsRequest()
    const lower = {
      ...request,
      headers: request.headers.map(([n, v]) => [n.toLowerCase(), v] as const),
    }
    assert.equal(verifier.verify(lower).ok, true)
  })

  void test('within 15 minutes either way the signature holds; beyond, it has expired', () => {
    const { verifier, clock } = setup()
    const request = kmsRequest()
    clock.advance(15 * 60 * 1000)
    assert.equal(verifier.verify(request).ok, true)
    clock.advance(1000)
    const expired = verifier.verify(request)
    assert.equal(expired.ok, false)
    assert.ok(!expired.ok)
    assert.equal(expired.code, 'InvalidSignatureException')
    assert.match(
      expired.message,
      /^Signature expired: 20240501T100000Z is now earlier than 20240501T100001Z \(20240501T101501Z - 15 min\.\)$/,
    )
    assert.equal(expired.principal, ALICE.arn)
    clock.set(new Date('2024-05-01T09:44:59Z'))
    const early = verifier.verify(request)
    assert.ok(!early.ok)
    assert.match(early.message, /^Signature not yet current: /)
  })

  const refusals: Array<[string, (r: SignableRequest) => SignableRequest, string, RegExp]> = [
    [
      'no Authorization header',
      (r) => withHeader(r, 'Authorization', undefined),
      'MissingAuthenticationToken',
      /Missing Authentication Token/,
    ],
    [
      'an empty Authorization header',
      (r) => withHeader(r, 'Authorization', ''),
      'MissingAuthenticationToken',
      /Missing/,
    ],
    [
      'another algorithm',
      (r) => withHeader(r, 'Authorization', 'Basic YWxpY2U6c2VjcmV0'),
      'IncompleteSignature',
      /Unsupported AWS 'algorithm': 'Basic'/,
    ],
    [
      'no Signature parameter',
      (r) =>
        withHeader(r, 'Authorization', headerOf(r, 'authorization')!.replace(/, Signature=.*/, '')),
      'IncompleteSignature',
      /requires 'Signature' parameter/,
    ],
    [
      'no date at all',
      (r) => withHeader(r, 'X-Amz-Date', undefined),
      'IncompleteSignature',
      /'X-Amz-Date' or a 'Date' header/,
    ],
    [
      'a malformed date',
      (r) => withHeader(r, 'X-Amz-Date', '2024-05-01T10:00:00Z'),
      'IncompleteSignature',
      /ISO-8601 'basic format'/,
    ],
    ...['20240231T100000Z', '20241301T100000Z', '20240501T240000Z', '20240501T106000Z'].map(
      (date): [string, (r: SignableRequest) => SignableRequest, string, RegExp] => [
        `an impossible date ${date}`,
        (r) => withHeader(r, 'X-Amz-Date', date),
        'IncompleteSignature',
        /ISO-8601 'basic format'/,
      ],
    ),
    [
      'a scope of four elements',
      (r) =>
        withHeader(r, 'Authorization', headerOf(r, 'authorization')!.replace('/eu-west-1/', '/')),
      'IncompleteSignature',
      /exactly 5 slash-delimited elements/,
    ],
    [
      'a tampered body',
      (r) => ({ ...r, body: new TextEncoder().encode('{"KeyId":"alias/b"}') }),
      'InvalidSignatureException',
      /does not match the signature you provided/,
    ],
    [
      'a tampered target',
      (r) => withHeader(r, 'X-Amz-Target', 'TrentService.ScheduleKeyDeletion'),
      'InvalidSignatureException',
      /does not match/,
    ],
    [
      'a signature that is not hex',
      (r) =>
        withHeader(
          r,
          'Authorization',
          headerOf(r, 'authorization')!.replace(/Signature=.*/, 'Signature=zz'),
        ),
      'InvalidSignatureException',
      /does not match/,
    ],
    [
      'a session token',
      (r) => withHeader(r, 'X-Amz-Security-Token', 'FwoGZXIvYXdz'),
      'UnrecognizedClientException',
      /^The security token included in the request is invalid\.$/,
    ],
  ]
  for (const [name, mutate, code, message] of refusals) {
    void test(`refused: ${name}`, () => {
      const { verifier } = setup()
      const result = verifier.verify(mutate(kmsRequest()))
      assert.ok(!result.ok)
      assert.equal(result.code, code)
      assert.match(result.message, message)
    })
  }

  void test('refused: a wrong secret, an unknown access key, another region, an unsigned target', () => {
    const { verifier } = setup()
    const wrong = verifier.verify(kmsRequest({ secret: 'not-the-secret' }))
    assert.ok(!wrong.ok)
    assert.equal(wrong.code, 'InvalidSignatureException')
    assert.equal(wrong.principal, ALICE.arn)
    assert.equal(wrong.accessKeyId, ALICE.accessKeyId)

    const unknown = verifier.verify(kmsRequest({ accessKeyId: 'AKIANOBODYNOBODY0000' }))
    assert.ok(!unknown.ok)
    assert.equal(unknown.code, 'UnrecognizedClientException')
    assert.equal(unknown.accessKeyId, 'AKIANOBODYNOBODY0000')
    assert.equal(unknown.principal, undefined)

    const region = verifier.verify(kmsRequest({ region: 'us-east-1' }))
    assert.ok(!region.ok)
    assert.equal(region.code, 'InvalidSignatureException')
    assert.match(region.message, /scoped to a valid region, not 'us-east-1'/)

    const unsigned = verifier.verify(kmsRequest({ signedHeaders: ['host', 'content-type'] }))
    assert.ok(!unsigned.ok)
    assert.equal(unsigned.code, 'IncompleteSignature')
    assert.match(unsigned.message, /x-amz-target/)
  })

  void test('a removed principal, or one whose secret changed, is refused at once', () => {
    const { verifier, directory } = setup()
    const request = kmsRequest()
    assert.equal(verifier.verify(request).ok, true)
    directory.set(ALICE.accessKeyId, { ...ALICE, secretAccessKey: 'a-new-secret' })
    assert.equal(verifier.verify(request).ok, false)
    directory.delete(ALICE.accessKeyId)
    const gone = verifier.verify(request)
    assert.ok(!gone.ok)
    assert.equal(gone.code, 'UnrecognizedClientException')
  })

  void test('a signed Date header may stand in for X-Amz-Date', () => {
    const { verifier } = setup()
    const body = new TextEncoder().encode('{}')
    const headers: Array<readonly [string, string]> = [
      ['Host', '127.0.0.1:4599'],
      ['X-Amz-Target', 'TrentService.ListKeys'],
      ['Date', 'Wed, 01 May 2024 10:00:00 GMT'],
    ]
    const request: SignableRequest = { method: 'POST', path: '/', query: '', headers, body }
    const signed = ['date', 'host', 'x-amz-target']
    const scope = '20240501/eu-west-1/kms/aws4_request'
    const canonical = canonicalRequest(request, signed, hex(sha256(body)))
    const key = signingKey(ALICE.secretAccessKey, '20240501', 'eu-west-1', 'kms')
    const signature = hex(hmac('sha256', key, stringToSign('20240501T100000Z', scope, canonical)))
    const authorization = `AWS4-HMAC-SHA256 Credential=${ALICE.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`
    assert.equal(verifier.verify(withHeader(request, 'Authorization', authorization)).ok, true)
    const unsignedDate = authorization.replace(
      'SignedHeaders=date;host;x-amz-target',
      'SignedHeaders=host;x-amz-target',
    )
    const refused = verifier.verify(withHeader(request, 'Authorization', unsignedDate))
    assert.ok(!refused.ok)
    assert.equal(refused.code, 'IncompleteSignature')
    assert.match(refused.message, /date/)
  })
})

function headerOf(r: SignableRequest, name: string): string | undefined {
  return r.headers.find(([n]) => n.toLowerCase() === name)?.[1]
}
