import type { KmsPort } from '../../kms/types/index.js'
import type { Settings } from './config.js'

/**
 * The KMS port over `@aws-sdk/client-kms`; loaded only when `kms: aws` is chosen. Region and
 * credentials come from the SDK's standard chain unless `--region` / the settings name them;
 * the endpoint from `--kms-endpoint`, `AWS_ENDPOINT_URL_KMS` or `AWS_ENDPOINT_URL`.
 */
export async function openAwsKms(settings: Settings): Promise<KmsPort> {
  const { AwsKms } = await import('../../kms/aws/index.js')
  return new AwsKms({
    ...(settings.region === undefined ? {} : { region: settings.region }),
    ...(settings.kmsEndpoint === undefined ? {} : { endpoint: settings.kmsEndpoint }),
  }).port
}
