import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { signRequest } from '../../../src/server/index.js'

export interface Credentials {
  accessKeyId: string
  secretAccessKey: string
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export interface RawRequestOptions {
  endpoint: string
  region: string
  /** Omit to send the request unsigned. */
  credentials?: Credentials
  target?: string
  body?: string | Uint8Array
  method?: string
  path?: string
  /** Extra headers, signed with the rest. */
  headers?: Record<string, string>
  /** Applied after signing: to tamper with a signed request. */
  afterSigning?: (
    headers: Record<string, string>,
    body: Uint8Array,
  ) => { headers: Record<string, string>; body: Uint8Array }
  time?: Date
  ca?: string | Buffer
}

/** Builds, signs (SigV4, service kms) and sends one request by hand; no SDK involved. */
export function rawRequest(opts: RawRequestOptions): Promise<RawResponse> {
  const url = new URL(opts.endpoint)
  const body =
    typeof opts.body === 'string'
      ? new TextEncoder().encode(opts.body)
      : (opts.body ?? new Uint8Array(0))
  const path = opts.path ?? '/'
  let headers: Record<string, string> = {
    Host: url.host,
    'Content-Type': 'application/x-amz-json-1.1',
    ...(opts.target === undefined ? {} : { 'X-Amz-Target': opts.target }),
    ...opts.headers,
  }
  const method = opts.method ?? 'POST'
  if (opts.credentials !== undefined) {
    const [p, q = ''] = path.split('?', 2)
    headers = signRequest(
      { method, path: p!, query: q, headers, body },
      { ...opts.credentials, region: opts.region, service: 'kms', time: opts.time ?? new Date() },
    )
  }
  let sent = body
  if (opts.afterSigning !== undefined) {
    const changed = opts.afterSigning({ ...headers }, body)
    headers = changed.headers
    sent = changed.body
  }
  headers['Content-Length'] = String(sent.length)
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers,
        agent: false,
        ...(opts.ca === undefined ? {} : { ca: opts.ca }),
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(sent)
  })
}
