import { constantTimeEqual } from '../bytes/index.js'
import type { Clock } from '../clock/index.js'
import { sha256Hex } from '../crypto/index.js'
import type { ErrorCode } from '../errors/index.js'
import type { PrincipalCredentials, PrincipalDirectory } from './principal-directory.js'
import {
  SIGV4_ALGORITHM,
  amzDate,
  canonicalHeaderValue,
  canonicalRequest,
  signature as sign,
  signingKey,
  stringToSign,
  type SignableRequest,
} from './sigv4.js'

export type AuthResult =
  | { ok: true; principal: PrincipalCredentials }
  | {
      ok: false
      code: ErrorCode
      message: string
      /** The access key id the request claimed, when it named one. */
      accessKeyId?: string
      /** The principal behind that access key, when there is one. */
      principal?: string
    }

/** AWS allows a signing time up to 15 minutes away from its own clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
const INVALID_TOKEN = 'The security token included in the request is invalid.'
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/
const SIGNATURE = /^[0-9a-f]{64}$/
// Headers that decide what a request does: a signature that leaves them out could be replayed
// as another operation or against another host.
const MUST_SIGN = ['host', 'x-amz-target'] as const
const SIGNING_KEY_CACHE_SIZE = 1024

function clip(text: string, max = 128): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

function parseAmzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text)
  if (m === null) return undefined
  const day = Number(m[3])
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, day, Number(m[4]), Number(m[5]), Number(m[6]))
  const d = new Date(t)
  // Date.UTC rolls 20240231 or 25:00 over into the next unit; a real time reads back the same
  return d.getUTCDate() === day &&
    Number(m[4]) < 24 &&
    Number(m[5]) < 60 &&
    Number(m[6]) < 60 &&
    Number(m[2]) <= 12
    ? d
    : undefined
}

interface Parsed {
  credential?: string
  signedHeaders?: string
  signature?: string
}

function parseAuthorization(rest: string): Parsed {
  const out: Parsed = {}
  for (const part of rest.split(',')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (name === 'Credential') out.credential = value
    else if (name === 'SignedHeaders') out.signedHeaders = value
    else if (name === 'Signature') out.signature = value
  }
  return out
}

/**
 * Verifies AWS Signature Version 4 in the `Authorization` header for one service and region.
 * Derived signing keys are cached per access key, day and secret, so a request costs one SHA-256
 * of the body, one of the canonical request and one HMAC.
 */
export class SigV4Verifier {
  private readonly keys = new Map<string, { secret: string; key: Uint8Array }>()

  constructor(
    private readonly opts: {
      region: string
      service: string
      clock: Clock
      principals: PrincipalDirectory
    },
  ) {}

  verify(request: SignableRequest): AuthResult {
    const header = canonicalHeaderValue(request.headers, 'authorization')
    if (header === undefined || header === '') {
      return {
        ok: false,
        code: 'MissingAuthenticationToken',
        message: 'Missing Authentication Token',
      }
    }
    const space = header.indexOf(' ')
    if (space < 0 || header.slice(0, space) !== SIGV4_ALGORITHM) {
      return {
        ok: false,
        code: 'IncompleteSignature',
        message: `Unsupported AWS 'algorithm': '${clip(space < 0 ? header : header.slice(0, space), 40)}'; sign with ${SIGV4_ALGORITHM}`,
      }
    }
    const parsed = parseAuthorization(header.slice(space + 1))
    const xAmzDate = canonicalHeaderValue(request.headers, 'x-amz-date')
    const httpDate = canonicalHeaderValue(request.headers, 'date')
    const missing: string[] = []
    if (parsed.credential === undefined)
      missing.push("Authorization header requires 'Credential' parameter.")
    if (parsed.signature === undefined)
      missing.push("Authorization header requires 'Signature' parameter.")
    if (parsed.signedHeaders === undefined)
      missing.push("Authorization header requires 'SignedHeaders' parameter.")
    if (xAmzDate === undefined && httpDate === undefined) {
      missing.push(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      )
    }
    if (missing.length > 0)
      return { ok: false, code: 'IncompleteSignature', message: missing.join(' ') }

    const credential = parsed.credential!
    const scopeParts = credential.split('/')
    if (scopeParts.length !== 5 || scopeParts[0] === '') {
      return {
        ok: false,
        code: 'IncompleteSignature',
        message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${clip(credential)}'`,
      }
    }
    const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator] = scopeParts as [
      string,
      string,
      string,
      string,
      string,
    ]
    const claimed = { accessKeyId: clip(accessKeyId, 128) }
    const refuse = (code: ErrorCode, message: string, principal?: string): AuthResult =>
      principal === undefined
        ? { ok: false, code, message, ...claimed }
        : { ok: false, code, message, ...claimed, principal }

    if (terminator !== 'aws4_request') {
      return refuse(
        'InvalidSignatureException',
        `Credential should be scoped with a valid terminator: 'aws4_request', not '${clip(terminator, 40)}'.`,
      )
    }
    if (scopeService !== this.opts.service) {
      return refuse(
        'InvalidSignatureException',
        `Credential should be scoped to correct service: '${this.opts.service}'.`,
      )
    }
    if (scopeRegion !== this.opts.region) {
      return refuse(
        'InvalidSignatureException',
        `Credential should be scoped to a valid region, not '${clip(scopeRegion, 40)}'.`,
      )
    }

    let signedAt: Date | undefined
    let signedAtText: string
    if (xAmzDate !== undefined) {
      signedAt = parseAmzDate(xAmzDate)
      signedAtText = xAmzDate
    } else {
      const t = Date.parse(httpDate!)
      signedAt = Number.isNaN(t) ? undefined : new Date(t)
      signedAtText = signedAt === undefined ? httpDate! : amzDate(signedAt)
    }
    if (signedAt === undefined) {
      return refuse(
        'IncompleteSignature',
        `Date must be in ISO-8601 'basic format'. Got '${clip(signedAtText, 40)}'.`,
      )
    }
    if (scopeDate !== signedAtText.slice(0, 8)) {
      return refuse(
        'InvalidSignatureException',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${clip(scopeDate, 40)}' != '${signedAtText.slice(0, 8)}', from '${signedAtText}'.`,
      )
    }

    const principal = this.opts.principals.findByAccessKeyId(accessKeyId)
    if (principal === undefined) return refuse('UnrecognizedClientException', INVALID_TOKEN)
    // sealbox issues no session tokens, so a request carrying one cannot be from a principal of it.
    if (canonicalHeaderValue(request.headers, 'x-amz-security-token') !== undefined) {
      return refuse('UnrecognizedClientException', INVALID_TOKEN, principal.arn)
    }

    const now = this.opts.clock.now()
    if (signedAt.getTime() < now.getTime() - MAX_SKEW_MS) {
      return refuse(
        'InvalidSignatureException',
        `Signature expired: ${signedAtText} is now earlier than ${amzDate(new Date(now.getTime() - MAX_SKEW_MS))} (${amzDate(now)} - 15 min.)`,
        principal.arn,
      )
    }
    if (signedAt.getTime() > now.getTime() + MAX_SKEW_MS) {
      return refuse(
        'InvalidSignatureException',
        `Signature not yet current: ${signedAtText} is still later than ${amzDate(new Date(now.getTime() + MAX_SKEW_MS))} (${amzDate(now)} + 15 min.)`,
        principal.arn,
      )
    }

    const signedHeaders = parsed.signedHeaders!.split(';')
    const dateHeader = xAmzDate !== undefined ? 'x-amz-date' : 'date'
    const unsigned = [...MUST_SIGN, dateHeader].filter((h) => !signedHeaders.includes(h))
    if (unsigned.length > 0) {
      return refuse(
        'IncompleteSignature',
        `These headers must be signed: ${unsigned.join(', ')}`,
        principal.arn,
      )
    }

    const provided = parsed.signature!
    if (!SIGNATURE.test(provided))
      return refuse('InvalidSignatureException', MISMATCH, principal.arn)
    const scope = `${scopeDate}/${scopeRegion}/${scopeService}/${terminator}`
    const canonical = canonicalRequest(request, signedHeaders, sha256Hex(request.body))
    const key = this.signingKey(principal, scopeDate)
    const expected = sign(key, stringToSign(signedAtText, scope, canonical))
    if (!constantTimeEqual(expected, Buffer.from(provided, 'hex'))) {
      return refuse('InvalidSignatureException', MISMATCH, principal.arn)
    }
    return { ok: true, principal }
  }

  private signingKey(principal: PrincipalCredentials, date: string): Uint8Array {
    const id = `${principal.accessKeyId}/${date}`
    const hit = this.keys.get(id)
    if (hit !== undefined && hit.secret === principal.secretAccessKey) return hit.key
    const key = signingKey(principal.secretAccessKey, date, this.opts.region, this.opts.service)
    if (this.keys.size >= SIGNING_KEY_CACHE_SIZE) this.keys.clear()
    this.keys.set(id, { secret: principal.secretAccessKey, key })
    return key
  }
}
