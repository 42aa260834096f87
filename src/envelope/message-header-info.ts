import { algorithmSuite, type MessageHeader } from '../format/index.js'
import { describeEncryptedDataKey } from './materials.js'

/** What a message's header says, for display (`inspect`) and for callers after decryption. */
export interface MessageHeaderInfo {
  suiteId: number
  messageId: Uint8Array
  encryptionContext: Record<string, string>
  /** Provider info is the key ARN for `aws-kms` entries and the key name for raw AES keys. */
  encryptedDataKeys: Array<{ providerId: string; providerInfo: string }>
  frameLength: number
  /** Message format version (2 for what sealbox writes). */
  version?: number
  suiteName?: string
  /** 'framed' or the legacy 'non-framed'. */
  contentType?: 'framed' | 'non-framed'
  /** Serialized header size in bytes. */
  headerLength?: number
}

export function headerInfo(header: MessageHeader, headerLength: number): MessageHeaderInfo {
  return {
    suiteId: header.suite.id,
    messageId: header.messageId,
    encryptionContext: { ...header.encryptionContext },
    encryptedDataKeys: header.encryptedDataKeys.map(describeEncryptedDataKey),
    frameLength: header.frameLength,
    version: header.version,
    suiteName: algorithmSuite(header.suite.id)?.name ?? 'unknown',
    contentType: header.contentType === 2 ? 'framed' : 'non-framed',
    headerLength,
  }
}
