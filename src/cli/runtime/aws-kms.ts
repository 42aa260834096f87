import type { KmsPort } from '../../kms/types/index.js'
import { SealboxError } from '../../errors/index.js'
import type { Settings } from './config.js'

/** The KMS port over `@aws-sdk/client-kms`; loaded only when `kms: aws` is chosen. */
export async function openAwsKms(_settings: Settings): Promise<KmsPort> {
  throw new SealboxError('InternalError', 'the AWS KMS backend is not wired in yet')
}
