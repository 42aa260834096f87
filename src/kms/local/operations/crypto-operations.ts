import { zero } from '../../../bytes/index.js'
import { randomBytes } from '../../../crypto/index.js'
import type { EncryptionContext } from '../../../encoding/index.js'
import { SealboxError } from '../../../errors/index.js'
import { openBlob, readBlobHeader, sealBlob } from '../ciphertext-blob.js'
import type { Call, Engine } from '../engine.js'
import { checkGrantTokens } from '../grant-token.js'
import type { KeyRow } from '../key-repository.js'
import type { Handlers } from './handler.js'
import { dryRun, intBetween, lengthBetween, required, validation } from './validate.js'

type CryptoOps =
  | 'Encrypt'
  | 'Decrypt'
  | 'ReEncrypt'
  | 'GenerateDataKey'
  | 'GenerateDataKeyWithoutPlaintext'
  | 'GenerateRandom'

function checkAlgorithm(value: string | undefined, member: string): void {
  if (value !== undefined && value !== 'SYMMETRIC_DEFAULT') {
    throw new SealboxError(
      'InvalidKeyUsageException',
      `${member} ${value} is not supported by a symmetric encryption key`,
    )
  }
}

function checkContext(context: EncryptionContext | undefined, member: string): EncryptionContext {
  if (context === undefined) return {}
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw validation(member, 'Member must be a map of strings to strings')
  }
  for (const [k, v] of Object.entries(context)) {
    if (typeof v !== 'string') throw validation(`${member}.${k}`, 'Member must be a string')
  }
  return context
}

/** Encrypts under the key's current backing key; the caller records whose material it used. */
function seal(
  e: Engine,
  key: KeyRow,
  plaintext: Uint8Array,
  context: EncryptionContext,
): { ciphertextBlob: Uint8Array; materialId: string } {
  const current = e.material(key.key_id, key.current_version)
  if (current === undefined)
    throw new SealboxError(
      'KMSInternalException',
      `the current backing key of ${e.arn(key.key_id)} is missing`,
    )
  const ciphertextBlob = sealBlob(
    { keyId: key.key_id, version: key.current_version },
    current.material,
    plaintext,
    context,
  )
  return { ciphertextBlob, materialId: current.materialId }
}

/** Decrypts a blob of this keystore; `action` is what the policy must allow on its key. */
function unseal(
  e: Engine,
  call: Call,
  blob: Uint8Array,
  context: EncryptionContext,
  expectedKeyRef: string | undefined,
  action: string,
): { key: KeyRow; plaintext: Uint8Array; materialId: string } {
  lengthBetween(blob, 'ciphertextBlob', 1, 6144)
  const header = readBlobHeader(blob)
  if (expectedKeyRef !== undefined) {
    const named = e.key(call, expectedKeyRef, { allowAlias: true, action, context })
    if (named.key_id !== header.keyId) {
      throw new SealboxError(
        'IncorrectKeyException',
        'The key ID in the request does not identify a CMK that can perform this operation.',
      )
    }
  }
  let key: KeyRow
  try {
    key = e.key(call, header.keyId, { allowAlias: false, action, context })
  } catch (err) {
    // A blob naming no key of this keystore is a foreign or corrupted blob, not a missing key.
    if (err instanceof SealboxError && err.code === 'NotFoundException')
      throw new SealboxError('InvalidCiphertextException', '')
    throw err
  }
  const version = e.material(key.key_id, header.version)
  if (version === undefined) throw new SealboxError('InvalidCiphertextException', '')
  call.keyMaterialId = version.materialId
  return {
    key,
    plaintext: openBlob(blob, version.material, context),
    materialId: version.materialId,
  }
}

function dataKeyLength(input: { numberOfBytes?: number; keySpec?: string }): number {
  if ((input.numberOfBytes === undefined) === (input.keySpec === undefined)) {
    throw new SealboxError(
      'ValidationException',
      'Please specify either number of bytes or key spec.',
    )
  }
  if (input.keySpec !== undefined) {
    if (input.keySpec === 'AES_256') return 32
    if (input.keySpec === 'AES_128') return 16
    throw validation(
      'keySpec',
      'Member must satisfy enum value set: [AES_256, AES_128]',
      input.keySpec,
    )
  }
  intBetween(input.numberOfBytes, 'numberOfBytes', 1, 1024)
  return input.numberOfBytes!
}

export const cryptoOperations: Handlers<CryptoOps> = {
  Encrypt(e, call, input) {
    checkGrantTokens(e, input.grantTokens)
    const plaintext = required(input.plaintext, 'plaintext')
    lengthBetween(plaintext, 'plaintext', 1, 4096)
    checkAlgorithm(input.encryptionAlgorithm, 'EncryptionAlgorithm')
    const context = checkContext(input.encryptionContext, 'encryptionContext')
    call.context = context
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: true, context })
    dryRun(input.dryRun)
    const { ciphertextBlob, materialId } = seal(e, key, plaintext, context)
    call.keyMaterialId = materialId
    return { ciphertextBlob, keyId: e.arn(key.key_id), encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }
  },

  Decrypt(e, call, input) {
    checkGrantTokens(e, input.grantTokens)
    checkAlgorithm(input.encryptionAlgorithm, 'EncryptionAlgorithm')
    const context = checkContext(input.encryptionContext, 'encryptionContext')
    call.context = context
    const { key, plaintext, materialId } = unseal(
      e,
      call,
      required(input.ciphertextBlob, 'ciphertextBlob'),
      context,
      input.keyId,
      'kms:Decrypt',
    )
    if (input.dryRun === true) {
      zero(plaintext)
      dryRun(true)
    }
    return {
      keyId: e.arn(key.key_id),
      plaintext,
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      keyMaterialId: materialId,
    }
  },

  ReEncrypt(e, call, input) {
    checkGrantTokens(e, input.grantTokens)
    checkAlgorithm(input.sourceEncryptionAlgorithm, 'SourceEncryptionAlgorithm')
    checkAlgorithm(input.destinationEncryptionAlgorithm, 'DestinationEncryptionAlgorithm')
    const sourceContext = checkContext(input.sourceEncryptionContext, 'sourceEncryptionContext')
    const destinationContext = checkContext(
      input.destinationEncryptionContext,
      'destinationEncryptionContext',
    )
    call.context = sourceContext
    const destinationRef = required(input.destinationKeyId, 'destinationKeyId')
    const source = unseal(
      e,
      call,
      required(input.ciphertextBlob, 'ciphertextBlob'),
      sourceContext,
      input.sourceKeyId,
      'kms:ReEncryptFrom',
    )
    try {
      const destination = e.key(call, destinationRef, {
        allowAlias: true,
        destination: true,
        action: 'kms:ReEncryptTo',
        context: destinationContext,
      })
      dryRun(input.dryRun)
      // the event's key material stays that of its keyArn, the source (set by unseal)
      const { ciphertextBlob, materialId: destinationKeyMaterialId } = seal(
        e,
        destination,
        source.plaintext,
        destinationContext,
      )
      return {
        ciphertextBlob,
        sourceKeyId: e.arn(source.key.key_id),
        keyId: e.arn(destination.key_id),
        sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        destinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        sourceKeyMaterialId: source.materialId,
        destinationKeyMaterialId,
      }
    } finally {
      zero(source.plaintext)
    }
  },

  GenerateDataKey(e, call, input) {
    checkGrantTokens(e, input.grantTokens)
    const length = dataKeyLength(input)
    const context = checkContext(input.encryptionContext, 'encryptionContext')
    call.context = context
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: true, context })
    dryRun(input.dryRun)
    const plaintext = randomBytes(length)
    const { ciphertextBlob, materialId } = seal(e, key, plaintext, context)
    call.keyMaterialId = materialId
    return { ciphertextBlob, plaintext, keyId: e.arn(key.key_id), keyMaterialId: materialId }
  },

  GenerateDataKeyWithoutPlaintext(e, call, input) {
    checkGrantTokens(e, input.grantTokens)
    const length = dataKeyLength(input)
    const context = checkContext(input.encryptionContext, 'encryptionContext')
    call.context = context
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: true, context })
    dryRun(input.dryRun)
    const plaintext = randomBytes(length)
    try {
      const { ciphertextBlob, materialId } = seal(e, key, plaintext, context)
      call.keyMaterialId = materialId
      return { ciphertextBlob, keyId: e.arn(key.key_id), keyMaterialId: materialId }
    } finally {
      zero(plaintext)
    }
  },

  GenerateRandom(_e, _call, input) {
    if (input.numberOfBytes === undefined)
      throw new SealboxError('ValidationException', 'NumberOfBytes is required.')
    intBetween(input.numberOfBytes, 'numberOfBytes', 1, 1024)
    return { plaintext: randomBytes(input.numberOfBytes) }
  },
}
