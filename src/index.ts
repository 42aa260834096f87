/**
 * sealbox as a library: KMS envelope encryption of streams, files, objects, secrets and database
 * fields, over an embedded KMS or any AWS KMS API endpoint. This is the composition root for
 * library users, the one place besides the CLI that names concrete KMSs and stores.
 *
 * @example
 * import { openEmbeddedKms, encryptBytes, decryptBytes } from 'sealbox'
 * const local = openEmbeddedKms()                          // ~/.sealbox, created on first use
 * const keyId = await local.defaultKeyId()
 * const sealed = await encryptBytes(data, { kms: local.kms, keyIds: [keyId], encryptionContext: { purpose: 'demo' } })
 * const { plaintext } = await decryptBytes(sealed, { kms: local.kms, expectedContext: { purpose: 'demo' } })
 * local.close()
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { AwsKmsOptions } from './kms/aws/index.js'
import type { KmsPort } from './kms/types/index.js'
import type { ObjectStore } from './objects/types/index.js'
import type { S3ObjectStoreOptions } from './objects/s3/index.js'
import { openLocalKms, type LocalKmsHandle } from './cli/runtime/local-kms.js'

export { SealboxError, isSealboxError, ERROR_CODES, type ErrorCode } from './errors/index.js'
export type { EncryptionContext } from './encoding/index.js'
export { type Clock, systemClock, ManualClock } from './clock/index.js'

export type {
  KmsPort,
  KmsProvider,
  Caller,
  KeyMetadata,
  KmsOperations,
  KmsOperationName,
  KmsInput,
  KmsOutput,
} from './kms/types/index.js'
export { Keystore, LocalKms, keyPolicyFor, defaultKeyPolicy } from './kms/local/index.js'
export type { AuditLog, AuditEvent, AuditFilter } from './audit/types/index.js'
export { SqliteAuditLog } from './audit/log/index.js'
export { MemoryAuditLog } from './audit/memory/index.js'

export {
  encryptStream,
  decryptStream,
  encryptBytes,
  decryptBytes,
  readHeader,
  RawAesKey,
  DataKeyCache,
  DEFAULT_FRAME_LENGTH,
  type EncryptOptions,
  type DecryptOptions,
  type MessageHeaderInfo,
} from './envelope/index.js'
export { encryptFile, decryptFile } from './file/index.js'

export type { ObjectStore, ObjectInfo } from './objects/types/index.js'
export { FsObjectStore } from './objects/fs/index.js'
export { SecretStore, type SecretStoreOptions } from './secrets/index.js'
export {
  encryptedTable,
  EncryptedTable,
  rotateRecordKeys,
  migratePlaintextColumn,
  type RecordTableSpec,
} from './records/index.js'
export { startKmsServer, type KmsServerOptions } from './server/index.js'
export { PrincipalStore } from './principals/index.js'

export type { LocalKmsHandle } from './cli/runtime/local-kms.js'

export interface EmbeddedKmsOptions {
  /** Keystore folder (default `$SEALBOX_HOME` or `~/.sealbox`). */
  home?: string
  /** Derive the root key from a passphrase instead of the `root.key` file. */
  passphrase?: string
  region?: string
  accountId?: string
  /** The principal in-process calls act as (default the local OS user). */
  principal?: string
}

/** Opens the embedded KMS: keystore, audit log, clock and a KMS port for the local user. */
export function openEmbeddedKms(options: EmbeddedKmsOptions = {}): LocalKmsHandle {
  const home = options.home ?? process.env['SEALBOX_HOME'] ?? join(homedir(), '.sealbox')
  return openLocalKms(
    {
      home,
      kms: 'local',
      keyId: undefined,
      kmsEndpoint: undefined,
      region: options.region,
      secretsLocation: undefined,
    },
    {
      ...(options.passphrase === undefined ? {} : { SEALBOX_PASSPHRASE: options.passphrase }),
      ...(options.accountId === undefined ? {} : { SEALBOX_ACCOUNT_ID: options.accountId }),
      ...(options.principal === undefined ? {} : { SEALBOX_PRINCIPAL: options.principal }),
    },
  )
}

/** The KMS port over AWS KMS or any endpoint speaking its API; loads the AWS SDK only when called. */
export async function openAwsKms(options: AwsKmsOptions = {}): Promise<KmsPort> {
  const { AwsKms } = await import('./kms/aws/index.js')
  return new AwsKms(options).port
}

/** An object store over an S3 bucket (or any S3-compatible store); loads the AWS SDK only when called. */
export async function openS3ObjectStore(options: S3ObjectStoreOptions): Promise<ObjectStore> {
  const { S3ObjectStore } = await import('./objects/s3/index.js')
  return new S3ObjectStore(options)
}
