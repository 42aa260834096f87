import assert from 'node:assert/strict'
import type { RawResponse } from './raw-request.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The status AWS KMS answers each error type with (research: recorded AWS responses). */
export function expectedStatus(type: string): number {
  if (type === 'KMSInternalException' || type === 'KeyUnavailableException') return 500
  if (type === 'DependencyTimeoutException') return 503
  if (type === 'MissingAuthenticationToken') return 403
  return 400
}

export type AwsOutcome =
  { ok: true; body: Record<string, unknown> } | { ok: false; type: string; message: string }

/**
 * Checks a response has AWS JSON 1.1's exact form (request id, content type, status for the
 * error type, an error body of exactly `__type` and `message`) and returns what it says.
 */
export function readAwsResponse(res: RawResponse): AwsOutcome {
  assert.match(String(res.headers['x-amzn-requestid']), UUID, 'x-amzn-RequestId is a UUID')
  assert.equal(res.headers['content-type'], 'application/x-amz-json-1.1')
  assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.text))
  if (res.status === 200) {
    if (res.text === '') return { ok: true, body: {} }
    const body: unknown = JSON.parse(res.text)
    assert.ok(
      typeof body === 'object' && body !== null && !Array.isArray(body),
      'a 200 body is a JSON object',
    )
    assert.equal('__type' in body, false)
    return { ok: true, body: body as Record<string, unknown> }
  }
  const body = JSON.parse(res.text) as Record<string, unknown>
  assert.deepEqual(Object.keys(body).sort(), ['__type', 'message'], `error body ${res.text}`)
  assert.equal(typeof body['__type'], 'string')
  assert.equal(typeof body['message'], 'string')
  const type = body['__type'] as string
  const expected = res.status === 413 ? 413 : expectedStatus(type)
  assert.equal(res.status, expected, `${type} is answered with ${expected}`)
  return { ok: false, type, message: body['message'] as string }
}
