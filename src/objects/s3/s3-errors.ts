import { SealboxError } from '../../errors/index.js'

interface AwsLikeError {
  name?: string
  Code?: string
  code?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
}

/** An S3 SDK failure as a SealboxError: one code per failure class, the location named. */
export function s3Error(e: unknown, operation: string, where: string): SealboxError {
  if (e instanceof SealboxError) return e
  const err = (e ?? {}) as AwsLikeError
  const name = err.name ?? err.Code ?? ''
  const status = err.$metadata?.httpStatusCode
  const cause = { cause: e }
  if (name === 'NoSuchBucket') {
    return new SealboxError('BucketNotFound', `the bucket of ${where} does not exist`, {
      ...cause,
      hint: 'create the bucket first, or check the endpoint (AWS_ENDPOINT_URL_S3) and region',
    })
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new SealboxError('ObjectNotFound', `no object at ${where}`, cause)
  }
  if (name === 'PreconditionFailed' || status === 412) {
    return new SealboxError(
      'PreconditionFailed',
      `the ${operation} of ${where} was refused: the object exists or changed since it was read`,
      cause,
    )
  }
  if (name === 'ConditionalRequestConflict' || status === 409) {
    return new SealboxError(
      'PreconditionFailed',
      `the ${operation} of ${where} was refused: another write to it was in progress`,
      cause,
    )
  }
  if (name === 'InvalidRange' || status === 416) {
    return new SealboxError('InvalidRange', `the requested range is outside ${where}`, cause)
  }
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
    return new SealboxError(
      'AccessDeniedException',
      `access to ${where} was denied (${operation})`,
      {
        ...cause,
        hint: 'check the AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID) and the bucket policy',
      },
    )
  }
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    return new SealboxError(
      'AccessDeniedException',
      `the S3 endpoint refused the credentials for ${where}: ${name}`,
      {
        ...cause,
        hint: 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile',
      },
    )
  }
  if (name === 'CredentialsProviderError') {
    return new SealboxError('ConfigInvalid', `no AWS credentials were found to reach ${where}`, {
      ...cause,
      hint: 'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    })
  }
  const code = err.code ?? ''
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT'
  ) {
    return new SealboxError('IoError', `could not reach the S3 endpoint for ${where}: ${code}`, {
      ...cause,
      hint: 'check AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and the network',
    })
  }
  const detail = [name, err.message].filter((s) => s !== undefined && s !== '').join(': ')
  return new SealboxError(
    'IoError',
    `the S3 ${operation} of ${where} failed${detail === '' ? '' : `: ${detail}`}`,
    cause,
  )
}
