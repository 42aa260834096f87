import { fromUtf8, utf8, zero } from '../bytes/index.js'
import type { EncryptionContext } from '../encoding/index.js'
import { SealboxError } from '../errors/index.js'
import type { EncryptedDataKey } from '../format/index.js'
import type { KmsPort } from '../kms/types/index.js'
import { parseKmsArn } from './kms-arn.js'

export const KMS_PROVIDER_ID = 'aws-kms'

/** KMS keys for encryption: the first generates the data key, each further one wraps it again. */
export interface KmsKeyringOptions {
  kms: KmsPort
  keyIds: string[]
}

function checkArn(keyId: string, op: string): void {
  const arn = parseKmsArn(keyId)
  if (arn === undefined || arn.resourceType !== 'key') {
    throw new SealboxError(
      'InternalError',
      `KMS ${op} answered with '${keyId}', which is not a key ARN`,
    )
  }
}

/**
 * GenerateDataKey under the first key, then Encrypt of the same data key under each further
 * key (framework/aws-kms/aws-kms-keyring.md, OnEncrypt). Entries are `aws-kms` with the key ARN
 * KMS returned as provider info, so the official SDK's KMS keyring reads them.
 */
export async function kmsGenerateDataKey(
  options: KmsKeyringOptions,
  context: EncryptionContext,
  keyBytes: number,
): Promise<{ dataKey: Uint8Array; encryptedDataKeys: EncryptedDataKey[] }> {
  const [generator, ...others] = options.keyIds
  if (generator === undefined)
    throw new SealboxError('UsageError', 'no KMS key given to encrypt with')
  const generated = await options.kms.generateDataKey({
    keyId: generator,
    numberOfBytes: keyBytes,
    encryptionContext: context,
  })
  const dataKey = generated.plaintext
  try {
    if (dataKey.length !== keyBytes) {
      throw new SealboxError(
        'InternalError',
        `KMS returned a data key of ${dataKey.length} bytes, not ${keyBytes}`,
      )
    }
    checkArn(generated.keyId, 'GenerateDataKey')
    const encryptedDataKeys: EncryptedDataKey[] = [
      {
        providerId: KMS_PROVIDER_ID,
        providerInfo: utf8(generated.keyId),
        ciphertext: generated.ciphertextBlob,
      },
    ]
    encryptedDataKeys.push(...(await kmsWrap(options.kms, others, dataKey, context)))
    return { dataKey, encryptedDataKeys }
  } catch (e) {
    zero(dataKey)
    throw e
  }
}

/** Encrypt of an existing data key under each key (a further KMS key, or after a raw key generated it). */
export async function kmsWrap(
  kms: KmsPort,
  keyIds: readonly string[],
  dataKey: Uint8Array,
  context: EncryptionContext,
): Promise<EncryptedDataKey[]> {
  const out: EncryptedDataKey[] = []
  for (const keyId of keyIds) {
    const wrapped = await kms.encrypt({ keyId, plaintext: dataKey, encryptionContext: context })
    checkArn(wrapped.keyId, 'Encrypt')
    out.push({
      providerId: KMS_PROVIDER_ID,
      providerInfo: utf8(wrapped.keyId),
      ciphertext: wrapped.ciphertextBlob,
    })
  }
  return out
}

/**
 * Decrypt of one `aws-kms` entry, with the stored key ARN as KeyId; the answer must name the
 * same key and hold a key of the suite's length (OnDecrypt). Returns the data key or throws.
 */
export async function kmsUnwrap(
  kms: KmsPort,
  edk: EncryptedDataKey,
  context: EncryptionContext,
  keyBytes: number,
): Promise<Uint8Array> {
  const arn = fromUtf8(edk.providerInfo)
  const out = await kms.decrypt({
    keyId: arn,
    ciphertextBlob: edk.ciphertext,
    encryptionContext: context,
  })
  if (out.keyId !== arn || out.plaintext.length !== keyBytes) {
    zero(out.plaintext)
    throw new SealboxError(
      'IncorrectKeyException',
      `KMS decrypted the data key under ${out.keyId}, not ${arn}`,
    )
  }
  return out.plaintext
}
