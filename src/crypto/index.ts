export { aesGcmEncrypt, aesGcmDecrypt, GCM_IV_BYTES, GCM_TAG_BYTES } from './aes-gcm.js'
export { hkdf, type HashName } from './hkdf.js'
export { sha256, hash, hmac } from './hash.js'
export { randomBytes, randomUUID } from './random.js'
