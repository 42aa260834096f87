import { SealboxError, type ErrorCode } from '../../../src/errors/index.js'
import { KMS_OPERATION_NAMES, methodName, type KmsPort } from '../../../src/kms/types/index.js'
import { fromWire, toWire } from '../../../src/kms/wire/index.js'
import { readAwsResponse } from './aws-response.js'
import { rawRequest, type Credentials } from './raw-request.js'

/**
 * The KMS port spoken by hand over HTTP: each call is a hand-signed AWS JSON 1.1 request, and
 * each response is checked for AWS's exact form before it is read.
 */
export function rawKms(endpoint: string, region: string, credentials: Credentials): KmsPort {
  const port: Record<string, (input: unknown) => Promise<unknown>> = {}
  for (const op of KMS_OPERATION_NAMES) {
    port[methodName(op)] = async (input) => {
      const res = await rawRequest({
        endpoint,
        region,
        credentials,
        target: `TrentService.${op}`,
        body: JSON.stringify(toWire(input)),
      })
      const outcome = readAwsResponse(res)
      if (!outcome.ok) throw new SealboxError(outcome.type as ErrorCode, outcome.message)
      return fromWire(outcome.body)
    }
  }
  return port as KmsPort
}
