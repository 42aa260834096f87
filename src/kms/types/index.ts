export * from './key-metadata.js'
export {
  type KmsOperations,
  type KmsOperationName,
  type KmsInput,
  type KmsOutput,
  type KmsPort,
  KMS_OPERATION_NAMES,
  CRYPTOGRAPHIC_OPERATIONS,
  methodName,
  callKms,
} from './operations.js'
export type { Caller, KmsProvider } from './caller.js'
