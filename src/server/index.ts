export {
  startKmsServer,
  DEFAULT_PORT,
  DEFAULT_HOST,
  type KmsServerOptions,
  type RunningKmsServer,
} from './kms-server.js'
export {
  createKmsRequestHandler,
  DEFAULT_MAX_BODY_BYTES,
  type KmsHandlerOptions,
  type ServerAuth,
} from './kms-request-handler.js'
export { FAULT_TYPES, type FaultOptions, type FaultType } from './fault-injection.js'
export { seededRandom } from './seeded-random.js'
export type { PrincipalCredentials, PrincipalDirectory } from './principal-directory.js'
export { signRequest, type SignOptions } from './sigv4.js'
export { MAX_SKEW_MS } from './sigv4-verifier.js'
export { TARGET_PREFIX } from './router.js'
