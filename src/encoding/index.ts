export {
  serializeEncryptionContext,
  parseEncryptionContext,
  sameContext,
  type EncryptionContext,
} from './encryption-context.js'
export { toBase64, fromBase64 } from './base64.js'
