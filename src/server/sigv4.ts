import { hmacSha256, sha256Hex } from '../crypto/index.js'

/**
 * AWS Signature Version 4, the parts shared by the verifier and the signer: canonical request,
 * string to sign, signing key (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
 */

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256'

/** A request as it was on the wire: raw path and query, header pairs in order, body bytes. */
export interface SignableRequest {
  method: string
  path: string
  /** The query string without `?`; empty when there is none. */
  query: string
  /** Name/value pairs as received (a name may repeat). */
  headers: ReadonlyArray<readonly [string, string]>
  body: Uint8Array
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
}

/** RFC 3986 encoding of everything but the unreserved characters, as SigV4 canonicalizes. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

function decodeOrRaw(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** Path segments encoded once more, as every service but S3 expects. */
export function canonicalUri(path: string): string {
  if (path === '' || path === '/') return '/'
  return path
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/')
}

export function canonicalQuery(query: string): string {
  if (query === '') return ''
  const pairs = query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=')
      const name = eq < 0 ? p : p.slice(0, eq)
      const value = eq < 0 ? '' : p.slice(eq + 1)
      return [uriEncode(decodeOrRaw(name)), uriEncode(decodeOrRaw(value))] as const
    })
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
  return pairs.map(([n, v]) => `${n}=${v}`).join('&')
}

/** Every value of a header, trimmed, inner whitespace runs collapsed, joined by commas. */
export function canonicalHeaderValue(
  headers: ReadonlyArray<readonly [string, string]>,
  lowerName: string,
): string | undefined {
  let out: string | undefined
  for (const [name, value] of headers) {
    if (name.length !== lowerName.length || name.toLowerCase() !== lowerName) continue
    let v = value.trim()
    if (/\s\s|[\t\r\n]/.test(v)) v = v.replace(/\s+/g, ' ')
    out = out === undefined ? v : `${out},${v}`
  }
  return out
}

export function canonicalRequest(
  request: SignableRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  let headers = ''
  for (const name of signedHeaders)
    headers += `${name}:${canonicalHeaderValue(request.headers, name) ?? ''}\n`
  return [
    request.method,
    canonicalUri(request.path),
    canonicalQuery(request.query),
    headers,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n')
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`
}

export function signingKey(
  secretAccessKey: string,
  date: string,
  region: string,
  service: string,
): Uint8Array {
  const kDate = hmacSha256(`AWS4${secretAccessKey}`, date)
  const kRegion = hmacSha256(kDate, region)
  const kService = hmacSha256(kRegion, service)
  return hmacSha256(kService, 'aws4_request')
}

/** The signature's bytes: the HMAC of the string to sign under the signing key. */
export function signature(key: Uint8Array, toSign: string): Uint8Array {
  return hmacSha256(key, toSign)
}

/** `20240102T030405Z` */
export function amzDate(time: Date): string {
  return time
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

export interface SignOptions {
  accessKeyId: string
  secretAccessKey: string
  region: string
  service: string
  time: Date
  /** Headers to sign besides host and x-amz-date (default: every header given). */
  signedHeaders?: readonly string[]
}

/**
 * Signs a request: returns its headers with `X-Amz-Date` and `Authorization` added. Used to
 * build requests by hand (tests, benchmarks); SDK clients sign for themselves.
 */
export function signRequest(
  request: Omit<SignableRequest, 'headers'> & { headers: Record<string, string> },
  options: SignOptions,
): Record<string, string> {
  const date = amzDate(options.time)
  const headers: Record<string, string> = { ...request.headers, 'X-Amz-Date': date }
  const pairs = Object.entries(headers)
  const names = (options.signedHeaders ?? pairs.map(([n]) => n)).map((n) => n.toLowerCase())
  if (!names.includes('x-amz-date')) names.push('x-amz-date')
  const signed = [...new Set(names)].sort()
  const scope = `${date.slice(0, 8)}/${options.region}/${options.service}/aws4_request`
  const canonical = canonicalRequest(
    { ...request, headers: pairs },
    signed,
    sha256Hex(request.body),
  )
  const key = signingKey(options.secretAccessKey, date.slice(0, 8), options.region, options.service)
  const sig = hex(signature(key, stringToSign(date, scope, canonical)))
  headers['Authorization'] =
    `${SIGV4_ALGORITHM} Credential=${options.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${sig}`
  return headers
}
