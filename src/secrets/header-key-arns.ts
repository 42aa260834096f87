import { readHeader } from '../envelope/index.js'

/** The KMS key ARNs a message's header names (not authenticated by reading the header alone). */
export async function headerKeyArns(source: AsyncIterable<Uint8Array>): Promise<string[]> {
  const header = await readHeader(source)
  return header.encryptedDataKeys
    .filter((k) => k.providerId === 'aws-kms')
    .map((k) => k.providerInfo)
}
