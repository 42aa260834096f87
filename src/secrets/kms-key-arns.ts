import { KMS_PROVIDER_ID, type MessageHeaderInfo } from '../envelope/index.js'

/** The KMS key ARNs a message's header names. */
export function kmsKeyArns(header: MessageHeaderInfo): string[] {
  return header.encryptedDataKeys
    .filter((k) => k.providerId === KMS_PROVIDER_ID)
    .map((k) => k.providerInfo)
}
