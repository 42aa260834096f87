import { isSealboxError, type ErrorCode } from '../errors/index.js'

/** An error as the AWS JSON 1.1 protocol sends it: status, `__type` and `message`. */
export interface AwsError {
  status: number
  type: string
  message: string
  /** True when the failure is ours, not the caller's: logged, never detailed to the caller. */
  internal: boolean
}

// Codes that are AWS exception names and travel unchanged to the client.
const AWS_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'AccessDeniedException',
  'AlreadyExistsException',
  'ConflictException',
  'DependencyTimeoutException',
  'DisabledException',
  'DryRunOperationException',
  'ExpiredImportTokenException',
  'IncorrectKeyException',
  'IncorrectKeyMaterialException',
  'IncompleteSignature',
  'InvalidAliasNameException',
  'InvalidArnException',
  'InvalidCiphertextException',
  'InvalidGrantIdException',
  'InvalidGrantTokenException',
  'InvalidImportTokenException',
  'InvalidKeyUsageException',
  'InvalidMarkerException',
  'InvalidSignatureException',
  'KeyUnavailableException',
  'KMSInternalException',
  'KMSInvalidStateException',
  'LimitExceededException',
  'MalformedPolicyDocumentException',
  'MissingAuthenticationToken',
  'NotFoundException',
  'RequestExpired',
  'SerializationException',
  'TagException',
  'ThrottlingException',
  'UnknownOperationException',
  'UnrecognizedClientException',
  'UnsupportedOperationException',
  'ValidationException',
])

// sealbox's own codes a KMS may raise that are the caller's fault, under their AWS name.
const CLIENT_CODES: Partial<Record<ErrorCode, string>> = {
  UsageError: 'ValidationException',
  LimitExceeded: 'LimitExceededException',
  ContextMismatch: 'InvalidCiphertextException',
  AlreadyExists: 'AlreadyExistsException',
}

/**
 * Status codes as AWS KMS sends them (research: responses recorded from real AWS are 400 for
 * every modelled client error, whatever the Smithy model says).
 */
function statusFor(type: string): number {
  switch (type) {
    case 'KMSInternalException':
    case 'KeyUnavailableException':
      return 500
    case 'DependencyTimeoutException':
      return 503
    case 'MissingAuthenticationToken':
      return 403
    default:
      return 400
  }
}

export function awsError(type: string, message: string): AwsError {
  return { status: statusFor(type), type, message, internal: false }
}

/** Any thrown value as the error the client sees. Internal details never leave the server. */
export function toAwsError(error: unknown): AwsError {
  if (isSealboxError(error)) {
    if (AWS_CODES.has(error.code)) return awsError(error.code, error.message)
    const client = CLIENT_CODES[error.code]
    if (client !== undefined) return awsError(client, error.message)
  }
  if ((error as { code?: unknown } | null)?.code === 'SQLITE_BUSY') {
    return awsError('DependencyTimeoutException', 'the keystore is busy; retry the request')
  }
  return { ...awsError('KMSInternalException', 'an internal error occurred'), internal: true }
}
