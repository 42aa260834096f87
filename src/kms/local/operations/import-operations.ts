import { utf8, zero } from '../../../bytes/index.js'
import { generateRsaKeyPair, randomBytes, rsaDecrypt, sha256 } from '../../../crypto/index.js'
import { SealboxError } from '../../../errors/index.js'
import type { Handlers } from './handler.js'
import { required, validation } from './validate.js'

const TOKEN_LIFETIME_MS = 24 * 3_600_000
const MODULUS_BITS = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 } as const
const PADDING = { RSAES_OAEP_SHA_1: 'sha1', RSAES_OAEP_SHA_256: 'sha256' } as const

type ImportOps = 'GetParametersForImport' | 'ImportKeyMaterial' | 'DeleteImportedKeyMaterial'

export const importOperations: Handlers<ImportOps> = {
  GetParametersForImport(e, call, input) {
    const algorithm = required(input.wrappingAlgorithm, 'wrappingAlgorithm')
    const spec = required(input.wrappingKeySpec, 'wrappingKeySpec')
    if (!(algorithm in PADDING)) {
      throw new SealboxError(
        'UnsupportedOperationException',
        `wrapping algorithm ${algorithm} is not supported by the embedded KMS: use RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1`,
      )
    }
    if (!(spec in MODULUS_BITS))
      throw validation(
        'wrappingKeySpec',
        'Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096]',
        spec,
      )
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    const pair = generateRsaKeyPair(MODULUS_BITS[spec as keyof typeof MODULUS_BITS])
    const token = randomBytes(32)
    const tokenId = Buffer.from(token).toString('hex')
    const expires = call.now.getTime() + TOKEN_LIFETIME_MS
    const sealed = e.keystore.seal(pair.privateKey, utf8(`sealbox import token\0${tokenId}`))
    zero(pair.privateKey)
    e.keystore.durableTransaction(() =>
      e.repo.insertImportToken(
        tokenId,
        key.key_id,
        algorithm,
        Buffer.from(sealed).toString('base64'),
        expires,
      ),
    )
    return {
      keyId: e.arn(key.key_id),
      importToken: token,
      publicKey: pair.publicKey,
      parametersValidTo: new Date(expires),
    }
  },

  ImportKeyMaterial(e, call, input) {
    const token = required(input.importToken, 'importToken')
    const wrapped = required(input.encryptedKeyMaterial, 'encryptedKeyMaterial')
    const model = input.expirationModel ?? 'KEY_MATERIAL_EXPIRES'
    if (model === 'KEY_MATERIAL_EXPIRES' && input.validTo === undefined) {
      throw new SealboxError(
        'ValidationException',
        'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES',
      )
    }
    if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE' && input.validTo !== undefined) {
      throw new SealboxError(
        'ValidationException',
        'A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE',
      )
    }
    if (input.validTo !== undefined && input.validTo.getTime() <= call.now.getTime()) {
      throw new SealboxError('ValidationException', 'validTo must be in the future')
    }
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    const tokenId = Buffer.from(token).toString('hex')
    const stored = e.repo.importToken(tokenId)
    if (stored === undefined || stored.key_id !== key.key_id) {
      throw new SealboxError(
        'InvalidImportTokenException',
        'The import token is not valid for this key',
      )
    }
    if (stored.expires_ms <= call.now.getTime()) {
      throw new SealboxError(
        'ExpiredImportTokenException',
        'The import token has expired: call GetParametersForImport again',
      )
    }
    const privateKey = e.keystore.unseal(
      Buffer.from(stored.private_key, 'base64'),
      utf8(`sealbox import token\0${tokenId}`),
    )
    let material: Uint8Array
    try {
      material = rsaDecrypt(privateKey, wrapped, PADDING[stored.algorithm as keyof typeof PADDING])
    } catch {
      throw new SealboxError(
        'InvalidCiphertextException',
        'the encrypted key material could not be unwrapped with this import token',
      )
    } finally {
      zero(privateKey)
    }
    try {
      if (material.length !== 32) {
        throw new SealboxError(
          'IncorrectKeyMaterialException',
          `key material must be 32 bytes for a SYMMETRIC_DEFAULT key, not ${material.length}`,
        )
      }
      const materialId = Buffer.from(
        sha256(new Uint8Array([...utf8(key.key_id), 0, ...material])),
      ).toString('hex')
      if (key.imported_material_id !== null && key.imported_material_id !== materialId) {
        throw new SealboxError(
          'IncorrectKeyMaterialException',
          'the key material is not the material previously imported into this key',
        )
      }
      e.keystore.durableTransaction(() => {
        const fresh = e.repo.key(key.key_id)!
        if (
          fresh.current_version === 0 ||
          e.repo.version(key.key_id, fresh.current_version) === undefined
        ) {
          e.repo.update(key.key_id, { current_version: 0 })
          e.addVersion(key.key_id, call.now.getTime(), null, material, materialId)
        }
        e.repo.update(key.key_id, {
          state: fresh.state === 'PendingImport' ? 'Enabled' : fresh.state,
          valid_to_ms: input.validTo?.getTime() ?? null,
          expiration_model: model,
          imported_material_id: materialId,
        })
      })
      call.keyMaterialId = materialId
      return { keyId: e.arn(key.key_id), keyMaterialId: materialId }
    } finally {
      zero(material)
    }
  },

  DeleteImportedKeyMaterial(e, call, input) {
    const key = e.key(call, required(input.keyId, 'keyId'), { allowAlias: false })
    e.keystore.durableTransaction(() => {
      e.repo.deleteVersions(key.key_id)
      e.repo.update(key.key_id, { state: 'PendingImport', valid_to_ms: null, current_version: 0 })
    })
    return key.imported_material_id === null
      ? { keyId: e.arn(key.key_id) }
      : { keyId: e.arn(key.key_id), keyMaterialId: key.imported_material_id }
  },
}
