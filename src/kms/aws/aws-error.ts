import { ERROR_CODES, SealboxError, type ErrorCode } from '../../errors/index.js'

const KNOWN: ReadonlySet<string> = new Set(ERROR_CODES)

// Names AWS (or a compatible endpoint) uses for the same failures under other spellings.
const ALIASES: Record<string, ErrorCode> = {
  InvalidClientTokenId: 'UnrecognizedClientException',
  ExpiredTokenException: 'UnrecognizedClientException',
  ExpiredToken: 'UnrecognizedClientException',
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  IncompleteSignatureException: 'IncompleteSignature',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  AccessDenied: 'AccessDeniedException',
  InternalFailure: 'KMSInternalException',
  ServiceUnavailable: 'DependencyTimeoutException',
  ServiceUnavailableException: 'DependencyTimeoutException',
  RequestTimeout: 'DependencyTimeoutException',
  Throttling: 'ThrottlingException',
}

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
])

interface SdkError {
  name?: string
  message?: string
  code?: string
  $fault?: 'client' | 'server'
  $metadata?: { httpStatusCode?: number }
}

/**
 * An error from `@aws-sdk/client-kms` as a SealboxError under the same code name, so callers
 * handle AWS KMS, `sealbox serve` and the embedded KMS alike.
 */
export function fromAwsError(error: unknown, endpoint: string): SealboxError {
  if (error instanceof SealboxError) return error
  const e = (error ?? {}) as SdkError
  const name = e.name ?? ''
  const message = e.message ?? ''
  const code: ErrorCode | undefined = KNOWN.has(name) ? (name as ErrorCode) : ALIASES[name]
  if (code !== undefined) {
    return new SealboxError(
      code,
      message !== '' ? message : `the KMS refused the request (${name})`,
      { cause: error },
    )
  }
  if (name === 'CredentialsProviderError') {
    return new SealboxError('ConfigInvalid', `no AWS credentials found: ${message}`, {
      cause: error,
      hint: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (for sealbox serve: sealbox principals create NAME)',
    })
  }
  if (/region is missing/i.test(message)) {
    return new SealboxError('ConfigInvalid', 'no AWS region is set for the KMS backend', {
      cause: error,
      hint: 'pass --region, or set AWS_REGION',
    })
  }
  if (e.code !== undefined && NETWORK.has(e.code)) {
    return new SealboxError('IoError', `could not reach the KMS at ${endpoint}: ${e.code}`, {
      cause: error,
      hint: 'check --kms-endpoint / AWS_ENDPOINT_URL_KMS, and that the server is running',
    })
  }
  if (e.$metadata?.httpStatusCode !== undefined) {
    const status = e.$metadata.httpStatusCode
    return new SealboxError(
      status >= 500 ? 'KMSInternalException' : 'ValidationException',
      `the KMS answered ${status}${name === '' ? '' : ` ${name}`}${message === '' ? '' : `: ${message}`}`,
      { cause: error },
    )
  }
  return new SealboxError(
    'InternalError',
    `the AWS KMS client failed: ${name === '' ? '' : `${name}: `}${message}`,
    {
      cause: error,
    },
  )
}
