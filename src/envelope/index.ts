export { encryptStream, encryptBytes, openSealSession, frameLengthOf } from './encrypt-stream.js'
export {
  decryptStream,
  decryptWithHeader,
  decryptBytes,
  readHeader,
  openMessage,
} from './decrypt-stream.js'
export type { MessageHeaderInfo } from './message-header-info.js'
export { RawAesKey, parseRawAesInfo } from './raw-aes-key.js'
export {
  DataKeyCache,
  type DataKeyCacheOptions,
  type EncryptionMaterials,
} from './data-key-cache.js'
export { KMS_PROVIDER_ID, type KmsKeyringOptions } from './kms-keyring.js'
export {
  DEFAULT_FRAME_LENGTH,
  type EncryptOptions,
  type DecryptOptions,
  type DecryptLimits,
} from './options.js'
export { decodeLimits } from './materials.js'
