import assert from 'node:assert/strict'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import type { AuditEventInput, AuditLog } from '../audit/types/index.js'
import { ManualClock } from '../clock/index.js'
import { SealboxError } from '../errors/index.js'
import {
  KMS_OPERATION_NAMES,
  methodName,
  type Caller,
  type KmsPort,
  type KmsProvider,
} from '../kms/types/index.js'
import {
  createKmsRequestHandler,
  signRequest,
  startKmsServer,
  type PrincipalCredentials,
  type RunningKmsServer,
} from './index.js'

// A KMS that records who called what; enough to test the protocol layer on its own.
function recordingProvider() {
  const calls: Array<{ op: string; caller: Caller; input: unknown }> = []
  const provider: KmsProvider = {
    forCaller(caller) {
      const port: Record<string, (input: unknown) => Promise<unknown>> = {}
      for (const op of KMS_OPERATION_NAMES) {
        port[methodName(op)] = (input) => {
          calls.push({ op, caller, input })
          if (op === 'GenerateRandom') return Promise.resolve({ plaintext: Uint8Array.of(7, 7) })
          if (op === 'EnableKey') return Promise.resolve({})
          if (op === 'DescribeKey')
            return Promise.reject(new SealboxError('NotFoundException', "Key 'x' does not exist"))
          if (op === 'DisableKey') return Promise.reject(new Error('disk on fire'))
          return Promise.resolve({
            keyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
            creationDate: new Date(1_700_000_000_000),
          })
        }
      }
      return port as KmsPort
    },
  }
  return { provider, calls }
}

function memoryAudit(): AuditLog & { events: AuditEventInput[] } {
  const events: AuditEventInput[] = []
  return {
    events,
    append: (e) => void events.push(e),
    committed: () => Promise.resolve(),
    query: () => [],
    verify: () => ({ ok: true, events: events.length }),
  }
}

const ALICE: PrincipalCredentials = {
  accessKeyId: 'AKIAALICEALICEALICE0',
  secretAccessKey: 'alice-secret-alice-secret-alice-secret00',
  arn: 'arn:aws:iam::111122223333:user/alice',
  accountId: '111122223333',
}

interface Sent {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function send(
  server: Pick<RunningKmsServer, 'port'>,
  opts: {
    target?: string
    body?: string
    sign?: boolean
    time?: Date
    method?: string
    path?: string
  },
): Promise<Sent> {
  const body = new TextEncoder().encode(opts.body ?? '{}')
  let headers: Record<string, string> = {
    Host: `127.0.0.1:${server.port}`,
    'Content-Type': 'application/x-amz-json-1.1',
    ...(opts.target === undefined ? {} : { 'X-Amz-Target': opts.target }),
  }
  if (opts.sign !== false) {
    headers = signRequest(
      { method: opts.method ?? 'POST', path: opts.path ?? '/', query: '', headers, body },
      {
        ...ALICE,
        region: 'eu-west-1',
        service: 'kms',
        time: opts.time ?? new Date('2024-05-01T10:00:00Z'),
      },
    )
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: opts.method ?? 'POST',
        path: opts.path ?? '/',
        headers,
        agent: false,
      },
      (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

void describe('the AWS JSON 1.1 request handler', () => {
  const { provider, calls } = recordingProvider()
  const audit = memoryAudit()
  const internal: string[] = []
  let server: RunningKmsServer
  before(async () => {
    server = await startKmsServer({
      provider,
      audit,
      clock: new ManualClock(new Date('2024-05-01T10:05:00Z')),
      region: 'eu-west-1',
      auth: {
        mode: 'sigv4',
        principals: { findByAccessKeyId: (id) => (id === ALICE.accessKeyId ? ALICE : undefined) },
      },
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 4096,
      onInternalError: (_e, id) => internal.push(id),
    })
  })
  after(() => server.close())

  void test('a signed call reaches the KMS as the verified principal and answers in AWS shape', async () => {
    const res = await send(server, {
      target: 'TrentService.GenerateRandom',
      body: '{"NumberOfBytes":2}',
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'application/x-amz-json-1.1')
    assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/)
    assert.equal(res.headers['date'], 'Wed, 01 May 2024 10:05:00 GMT')
    assert.deepEqual(JSON.parse(res.body), { Plaintext: 'Bwc=' })
    const call = calls.at(-1)!
    assert.equal(call.op, 'GenerateRandom')
    assert.equal(call.caller.principal, ALICE.arn)
    assert.equal(call.caller.accountId, ALICE.accountId)
    assert.equal(call.caller.requestId, res.headers['x-amzn-requestid'])
    assert.deepEqual(call.input, { numberOfBytes: 2 })
  })

  void test('an operation without output answers 200 with an empty body; dates are epoch seconds', async () => {
    const empty = await send(server, { target: 'TrentService.EnableKey', body: '{"KeyId":"k"}' })
    assert.equal(empty.status, 200)
    assert.equal(empty.body, '')
    const dated = await send(server, {
      target: 'TrentService.CancelKeyDeletion',
      body: '{"KeyId":"k"}',
    })
    assert.deepEqual(JSON.parse(dated.body), {
      KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k',
      CreationDate: 1_700_000_000,
    })
  })

  void test('KMS errors keep their type; failures of ours are a 500 that says nothing inside', async () => {
    const missing = await send(server, {
      target: 'TrentService.DescribeKey',
      body: '{"KeyId":"x"}',
    })
    assert.equal(missing.status, 400)
    assert.deepEqual(JSON.parse(missing.body), {
      __type: 'NotFoundException',
      message: "Key 'x' does not exist",
    })
    const broken = await send(server, { target: 'TrentService.DisableKey', body: '{"KeyId":"x"}' })
    assert.equal(broken.status, 500)
    assert.deepEqual(JSON.parse(broken.body), {
      __type: 'KMSInternalException',
      message: 'an internal error occurred',
    })
    assert.ok(!broken.body.includes('fire'))
    assert.deepEqual(internal, [broken.headers['x-amzn-requestid']])
  })

  void test('GET /health answers 200 unsigned, with no KMS call and no audit event', async () => {
    const [calledBefore, auditedBefore] = [calls.length, audit.events.length]
    const health = await send(server, { method: 'GET', path: '/health', sign: false, body: '' })
    assert.equal(health.status, 200)
    assert.deepEqual(JSON.parse(health.body), { status: 'ok' })
    assert.match(String(health.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/)
    assert.equal(calls.length, calledBefore)
    assert.equal(audit.events.length, auditedBefore)
    for (const other of [
      { method: 'POST', path: '/health' },
      { method: 'GET', path: '/health?x=1' },
      { method: 'GET', path: '/healthz' },
    ]) {
      // no body: a GET's body has no framing here, so it would read as the next request
      const res = await send(server, { ...other, sign: false, body: '' })
      assert.equal(res.status, 400, `${other.method} ${other.path}`)
      assert.equal(JSON.parse(res.body).__type, 'UnknownOperationException')
    }
  })

  void test('refusals before the KMS: each in AWS shape, audited, and no KMS call', async () => {
    const before = calls.length
    const cases: Array<[Parameters<typeof send>[1], number, string]> = [
      [{ target: 'TrentService.Sign' }, 400, 'UnknownOperationException'],
      [{ target: 'TrentService.GenerateRandom', method: 'PUT' }, 400, 'UnknownOperationException'],
      [{ target: 'TrentService.GenerateRandom', path: '/other' }, 400, 'UnknownOperationException'],
      [{ target: 'TrentService.GenerateRandom', sign: false }, 403, 'MissingAuthenticationToken'],
      [
        { target: 'TrentService.GenerateRandom', time: new Date('2024-05-01T09:45:00Z') },
        400,
        'InvalidSignatureException',
      ],
      [
        { target: 'TrentService.GenerateRandom', body: '{"NumberOfBytes":' },
        400,
        'SerializationException',
      ],
      [
        { target: 'TrentService.GenerateRandom', body: '{"NumberOfBytes":"2"}' },
        400,
        'SerializationException',
      ],
      [
        { target: 'TrentService.GenerateRandom', body: '{"NumberOfBytes":2000}' },
        400,
        'ValidationException',
      ],
      [{ target: 'TrentService.Encrypt', body: '{}' }, 400, 'ValidationException'],
      [{ target: 'TrentService.GenerateRandom', body: '[]' }, 400, 'SerializationException'],
    ]
    for (const [opts, status, type] of cases) {
      const eventsBefore = audit.events.length
      const res = await send(server, opts)
      assert.equal(res.status, status, `${JSON.stringify(opts)}: ${res.body}`)
      const body = JSON.parse(res.body) as { __type: string; message: string }
      assert.equal(body.__type, type)
      assert.equal(typeof body.message, 'string')
      assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/)
      assert.equal(audit.events.length, eventsBefore + 1, `${type} is audited`)
      const event = audit.events.at(-1)!
      assert.equal(event.outcome, type)
      assert.equal(event.requestId, res.headers['x-amzn-requestid'])
    }
    assert.equal(calls.length, before)
    const expired = audit.events.find((e) => e.outcome === 'InvalidSignatureException')!
    assert.equal(expired.principal, ALICE.arn)
    assert.equal(
      audit.events.find((e) => e.outcome === 'MissingAuthenticationToken')!.principal,
      'anonymous',
    )
  })

  void test('a body over the limit is refused with 413 before it is read, and audited', async () => {
    const before = calls.length
    const res = await send(server, {
      target: 'TrentService.GenerateRandom',
      body: `{"x":"${'a'.repeat(5000)}"}`,
    })
    assert.equal(res.status, 413)
    assert.equal(JSON.parse(res.body).__type, 'ValidationException')
    assert.equal(calls.length, before)
    const event = audit.events.at(-1)!
    assert.equal(event.requestId, res.headers['x-amzn-requestid'])
    assert.equal(event.operation, 'GenerateRandom')
    assert.equal(event.outcome, 'ValidationException')
    const after = await send(server, {
      target: 'TrentService.GenerateRandom',
      body: '{"NumberOfBytes":2}',
    })
    assert.equal(after.status, 200)
  })
})

void test('GET /health answers 503 once the server is stopping', async () => {
  const stopping = new AbortController()
  const handler = createKmsRequestHandler(
    {
      provider: recordingProvider().provider,
      audit: memoryAudit(),
      clock: new ManualClock(new Date('2024-05-01T10:05:00Z')),
      region: 'eu-west-1',
      auth: { mode: 'sigv4', principals: { findByAccessKeyId: () => undefined } },
    },
    stopping.signal,
  )
  const http = createServer(handler)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const server = { port: (http.address() as AddressInfo).port }
  try {
    const probe = () => send(server, { method: 'GET', path: '/health', sign: false, body: '' })
    assert.equal((await probe()).status, 200)
    stopping.abort()
    const stopped = await probe()
    assert.equal(stopped.status, 503)
    assert.deepEqual(JSON.parse(stopped.body), { status: 'stopping' })
    assert.equal(stopped.headers['connection'], 'close')
  } finally {
    http.close()
  }
})
