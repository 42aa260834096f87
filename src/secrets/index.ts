export { SecretStore, type SecretStoreOptions } from './secret-store.js'
export type { RotateOptions, RotationEvent, RotationReport } from './rotate-secrets.js'
export type { SecretVersion } from './secret-version.js'
export { packContext, PACK_CONTEXT_KEY, PACK_CONTEXT_VALUE } from './pack-context.js'
export { unpackTar } from './unpack-tar.js'
export {
  packEntries,
  tarEntries,
  checkEntryName,
  type PackEntry,
  type UnpackedEntry,
} from './tar-archive.js'
export { normalizeSecretPath, MAX_PATH_BYTES } from './secret-path.js'
export { Layout } from './layout.js'
export { compileGlob, anyGlob, isLiteralPattern, type Glob } from './glob.js'
export { envName, envNames } from './env-name.js'
export {
  envValue,
  dotenvValue,
  shellQuote,
  formatEnv,
  ENV_FORMATS,
  type EnvFormat,
} from './env-format.js'
export { secretContext, SECRET_CONTEXT_KEY, VERSION_CONTEXT_KEY } from './secret-context.js'
export { mapOrdered, mapConcurrent } from './map-concurrent.js'
export { collect } from './collect.js'
